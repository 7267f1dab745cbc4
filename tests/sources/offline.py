"""An E-utilities address where nothing listens, for the offline tests of the client and of review search."""

from __future__ import annotations

import socket


def closed_port_url() -> str:
    """An address where nothing listens: a port bound once to find it free, then closed."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/entrez/eutils/"
