"""The app's pages (one module each, routed by app.py) and their shared resources and widgets."""
