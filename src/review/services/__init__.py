"""Stage services: the one entry point the shells (``cli/``, ``tui/``) use.

One module per pipeline stage. A service function takes a ``Workspace`` (or plain paths for
the commands that need none), runs the stage's engine against the store, returns typed
results (dataclasses) and raises ``ReviewError``s. It never formats for a terminal and never
sees click or Textual. Stage modules load inside the functions that need them, so a shell that
imports a service pays only for what it runs (``review init`` never loads scikit-learn).
"""
