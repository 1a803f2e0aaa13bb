"""`klartjek serve`: the workbench on a socket of its own, served by uvicorn.

127.0.0.1 unless another address is asked for explicitly; then a warning says that others on the
network can reach it. Only the host names of the address bound are answered (TrustedHostMiddleware,
against DNS rebinding). The URL is printed once the app is ready; Ctrl-C stops it cleanly."""
from __future__ import annotations

import ipaddress
import socket
import sys
from typing import Any

from core.errors import UsageError

WILDCARD = ("0.0.0.0",)


def is_local(host: str) -> bool:
    """Whether only this machine can reach ``host``."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def allowed_hosts(host: str) -> tuple[str, ...]:
    """The names a request's Host header may give: the address bound and the names of this machine
    that lead to it (localhost for 127.0.0.1; the machine's names and addresses for 0.0.0.0)."""
    names = {host}
    if is_local(host) or host in WILDCARD:
        names |= {"127.0.0.1", "localhost"}
    if host in WILDCARD:
        names |= {socket.gethostname(), socket.getfqdn()}
        try:
            names |= set(socket.gethostbyname_ex(socket.gethostname())[2])
        except OSError:
            pass
    return tuple(sorted(names))


def warning(host: str) -> str | None:
    """The warning for an address others can reach, or None for this machine's own."""
    if is_local(host):
        return None
    return (f"warning: the workbench listens on {host}, so others on the network can reach it and the texts "
            "checked in it; use --host 127.0.0.1 to keep it to this machine")


def listen(host: str, port: int) -> socket.socket:
    if ":" in host:
        raise UsageError(f"--host {host}: give an IPv4 address or a host name, such as 127.0.0.1 or localhost")
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        reason = exc.strerror or str(exc)
        raise UsageError(f"cannot listen on {host}:{port} ({reason}); give another --port or --host") from None
    return sock


def serve(cfg: dict[str, Any], host: str = "127.0.0.1", port: int = 8765, lang: str = "da",
          max_upload_mb: int = 10) -> None:
    """Serve the workbench until Ctrl-C (or SIGTERM)."""
    import uvicorn

    from workbench.app import create_app

    sock = listen(host, port)
    shown = "127.0.0.1" if host in WILDCARD else host
    url = f"http://{shown}:{sock.getsockname()[1]}/"
    said = warning(host)
    if said:
        print(f"klartjek: {said}", file=sys.stderr, flush=True)

    class Server(uvicorn.Server):
        async def startup(self, sockets=None) -> None:
            await super().startup(sockets)
            if self.started:
                print(f"klartjek workbench: {url} (Ctrl-C stops it)", flush=True)

    app = create_app(cfg, lang=lang, max_upload_mb=max_upload_mb, hosts=allowed_hosts(host))
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on", server_header=False,
                            timeout_graceful_shutdown=5)
    try:
        Server(config).run(sockets=[sock])
    except KeyboardInterrupt:        # uvicorn stops cleanly on Ctrl-C, then raises it again: done
        pass
    finally:
        sock.close()
    print("klartjek workbench: stopped", flush=True)
