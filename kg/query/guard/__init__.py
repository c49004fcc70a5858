"""Run SPARQL typed by a user (the app's query page, the HTTP endpoint, `kg query -`) without letting it change the
graph, call out to the network, or run for ever.

* kg.query.guard.policy: the rules and their words, for every backend (QueryError tree, QueryLimits,
  UserQueryResult, the read-only check, syntax messages);
* kg.query.guard.sandbox: one query in a child process, killed at the time limit, under a memory cap;
* kg.query.guard.pool: pre-forked query processes for the HTTP endpoint.

How the time limit is enforced, and why this way (measured on the real graph, 3,748 triples, 2 cores):

* pyoxigraph (0.5) has no timeout or cancellation in its Python API (oxigraph/oxigraph#1926; the Rust
  CancellationToken of oxigraph#1409 is not exposed). `Store.query()` evaluates aggregates and sorts
  before it returns, so a check between result rows never runs for `SELECT (COUNT(*) …)` over a cartesian
  product. pyoxigraph releases the GIL while it works, so a watchdog thread *can* return to the caller on
  time, but the abandoned query keeps a core busy until it finishes (for a three-way cartesian product:
  effectively never). A thread does not bound the work, only the wait.
* So each user query runs in a child process that is killed when the time is up. With the `fork` start
  method (Linux, the default here) the child shares the already-loaded store copy-on-write: a small query
  costs ~14 ms end to end (median of 20; 7 ms at best). Where fork does not exist it falls back to a fresh
  interpreter fed an N-Quads dump of the graph: ~0.4 s a query, counted inside the time limit.
* The parent waits on the result pipe with `poll(remaining time)`, then SIGKILLs the child. Measured
  overshoot of the wall time beyond `timeout_s` (timeout 1 s, the cartesian COUNT above): median 12 ms,
  worst 23 ms in 8 runs with fork; ~5 ms with the subprocess fallback. The row cap is applied in the child,
  which stops reading results at `max_rows + 1`, and on Linux the child's address space is capped
  (`max_memory_mb`) so a huge sort is stopped (in ~0.2 s at 200 MB) before it can exhaust the machine.
* Forking a process that has other threads (Streamlit, uvicorn) copies only the calling thread; the child
  touches nothing but the store and the pipe, and if it ever hung the time limit would still kill it.
* The endpoint uses the pool (a fork per query capped it at ~50 queries/s on 2 cores); the app and `kg query`
  keep the one-off child: one query at a time needs no resident processes.

Read-only is guaranteed by the engine call itself: a query process only ever calls `Store.query`, whose grammar
has no update operations. The read-only check exists to give a clear message first, and to refuse SERVICE
(pyoxigraph would otherwise make the HTTP request).
"""
