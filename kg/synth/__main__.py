"""`python -m kg.synth --papers 10000 --seed 42 --out DIR`: write a synthetic corpus."""
from kg.synth.generator import main

if __name__ == "__main__":
    raise SystemExit(main())
