"""Title/abstract screening: active-learning ranking, stopping rules, metrics, simulation.

The domain core never imports Textual; ``session.ScreeningSession`` is the API the TUI
drives and ``simulate.simulate`` the one ``review simulate`` and the benchmark use.
"""
