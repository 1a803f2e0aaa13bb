"""The editors' workbench: one page where a content editor checks a text in plain Danish.

GET / shows the form; POST / checks the pasted text or the uploaded file and shows the same page
with the result (no JavaScript needed); POST /check gives the result alone, for the page's script
to re-check as the editor types. "Gem i historikken" (action=save) also stores the checked text as
a run in the history. Every response carries a strict Content-Security-Policy and no-store, and
only the host names the server is bound to are answered (against DNS rebinding). docs/workbench.md.
"""
from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path
from typing import Any, AsyncIterator

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, MutableHeaders, UploadFile
from starlette.formparsers import FormParser, MultiPartException, MultiPartParser
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from core.cpr import blank_cpr
from reports.text_report import MARKS_CSS, TEMPLATES as REPORT_TEMPLATES, number, text_view
from workbench.intake import ACCEPT, Checked, InputError, check_form, upload_name
from workbench.texts import text

HERE = Path(__file__).parent
PROFILES = ("web", "letter", "patient-info", "sms")     # in the form, in this order; others after them
FORM_OVERHEAD = 64 * 1024      # bytes of a form beyond its file: the other fields, the multipart framing
DRAIN_FACTOR = 8               # a body over the limit is read (and dropped) up to this many limits, so the
                               # browser gets the answer rather than a reset connection
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
       "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'")
HEADERS = {"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer",
           "X-Frame-Options": "DENY", "Cache-Control": "no-store", "Cross-Origin-Opener-Policy": "same-origin",
           "Cross-Origin-Resource-Policy": "same-origin"}
WARM_UP = ("Du har fået en tid til en undersøgelse på hospitalet. Tag dit sundhedskort med, og kom ti minutter "
           "før tiden. Ring til os, hvis du ikke kan komme, så en anden patient kan få tiden.")


class SecurityHeaders:
    """The security headers on every response, the static files' and the errors' too."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for key, value in HEADERS.items():
                    headers.setdefault(key, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)


class _InMemoryParser(MultiPartParser):
    spool_max_size = 1 << 40       # the body is in memory and bounded already: never a temporary file


async def _once(body: bytes) -> AsyncIterator[bytes]:
    yield body


class Workbench:
    def __init__(self, cfg: dict[str, Any], lang: str, max_upload_mb: int) -> None:
        self.cfg, self.lang, self.mb = cfg, lang, max_upload_mb
        self.limit = max_upload_mb * 1024 * 1024
        names = list(cfg["klarsprog"]["profiles"])
        self.profiles = [p for p in PROFILES if p in names] + [p for p in names if p not in PROFILES]
        default = cfg["klarsprog"]["text_profile"]
        self.default_profile = default if default in names else self.profiles[0]
        self.env = Environment(loader=ChoiceLoader([FileSystemLoader(HERE / "templates"),
                                                    FileSystemLoader(REPORT_TEMPLATES)]),
                               autoescape=select_autoescape(["html", "j2"]), trim_blocks=True, lstrip_blocks=True)
        self.env.globals.update(t=lambda key: text(key, lang), T=lambda key, **v: text(key, lang, **v), lang=lang)
        self.store = None

    # -- routes ----------------------------------------------------------------------------------
    async def page(self, request: Request) -> Response:
        if request.method == "GET":
            return self._render("page.html", {})
        return await self._check(request, "page.html")

    async def fragment(self, request: Request) -> Response:
        return await self._check(request, "results.html", saving=False)

    async def _check(self, request: Request, template: str, saving: bool = True) -> Response:
        values: dict[str, Any] = {"submitted": True}
        try:
            form = await self._read_form(request)
            pasted = str(form.get("text") or "")
            values["text"] = blank_cpr(pasted)[0]            # the text box again, on an error too
            values["profile"] = profile = str(form.get("profile") or "")
            upload = await self._upload(form)
            checked = await check_form(pasted, upload, profile, self.cfg, self.limit, text("pasted", self.lang))
            values["text"] = checked.source
            values.update(self._result(checked, profile))
            if saving and form.get("action") == "save":
                values["saved"] = await self._save(checked)
                values["status"] = text("saved", self.lang, id=values["saved"])
        except InputError as exc:
            return self._error(template, values, exc)
        except Exception as exc:  # noqa: BLE001 - one line in the terminal, the page with its form for the editor
            _log(exc)
            return self._error(template, values, InputError(500, "internal"))
        return self._render(template, values)

    def _error(self, template: str, values: dict[str, Any], exc: InputError) -> HTMLResponse:
        values.pop("v", None)
        values["error"] = {"message": self._message(exc), "field": exc.field}
        values["status"] = values["error"]["message"]
        return self._render(template, values, exc.status)

    async def internal_error(self, request: Request, exc: Exception) -> Response:
        _log(exc)
        return self._render("page.html", {"error": {"message": text("err_internal", self.lang), "field": None}}, 500)

    # -- the parts -------------------------------------------------------------------------------
    async def _read_form(self, request: Request) -> FormData:
        """The form, read into memory up to the limit; a larger body is InputError 413."""
        limit = self.limit + FORM_OVERHEAD
        declared = request.headers.get("content-length", "")
        too_big = declared.isdigit() and int(declared) > limit
        body, received = bytearray(), 0
        async for chunk in request.stream():
            received += len(chunk)
            if received > limit:
                too_big = True
            if received > DRAIN_FACTOR * limit:
                break
            if not too_big:
                body += chunk
        if too_big:
            raise InputError(413, "too_large", "file")
        ctype = request.headers.get("content-type", "")
        try:
            if ctype.startswith("multipart/form-data"):
                return await _InMemoryParser(request.headers, _once(bytes(body)), max_files=1, max_fields=10,
                                             max_part_size=limit).parse()
            if ctype.startswith("application/x-www-form-urlencoded"):
                return await FormParser(request.headers, _once(bytes(body)), max_fields=10,
                                        max_part_size=limit).parse()
        except MultiPartException:
            pass
        raise InputError(400, "form")

    @staticmethod
    async def _upload(form: FormData) -> tuple[str, bytes] | None:
        """The uploaded file (its name, its bytes), or None when no file was chosen."""
        f = form.get("file")
        if not isinstance(f, UploadFile) or not f.filename:
            return None
        return upload_name(f.filename), await f.read()

    def _result(self, checked: Checked, profile: str) -> dict[str, Any]:
        view = text_view(checked.doc, checked.text, self.lang, self.cfg["klarsprog"]["profiles"][profile])
        n = len(view["findings"])
        return {"v": view, "checked": checked,
                "status": text("status_checked", self.lang, n=n) if n else text("status_clean", self.lang)}

    async def _save(self, checked: Checked) -> str:
        from audit.texts import save_text
        from core.errors import KlartjekError

        def save() -> str:
            if self.store is None:
                from audit.store import Store

                self.store = Store(self.cfg["db"])
            return save_text(self.store, self.cfg, checked.doc, checked.artifacts, self.cfg.get("project")).id

        try:
            return await run_in_threadpool(save)
        except KlartjekError as exc:
            print(f"klartjek serve: could not save to the history: {exc}", file=sys.stderr, flush=True)
            raise InputError(500, "save") from None

    def _message(self, exc: InputError) -> str:
        sep = "." if self.lang == "da" else ","        # 5.000 tegn; 5,000 characters
        values = {k: f"{v:,}".replace(",", sep) if isinstance(v, int) else v for k, v in exc.values.items()}
        return text(f"err_{exc.key}", self.lang, mb=number(self.mb, self.lang), **values)

    def _render(self, template: str, values: dict[str, Any], status: int = 200) -> HTMLResponse:
        from audit.store import shown_db

        profile = values.get("profile") or self.default_profile
        context = {"text": "", "error": None, "v": None, "saved": None, "status": "", "submitted": False,
                   **values, "profile": profile if profile in self.profiles else self.default_profile,
                   "profiles": [(p, self._profile_label(p)) for p in self.profiles],
                   "profile_label": self._profile_label(profile), "accept": ACCEPT,
                   "mb": number(self.mb, self.lang), "db": shown_db(self.cfg["db"])}
        return HTMLResponse(self.env.get_template(template).render(context), status_code=status)

    def _profile_label(self, profile: str) -> str:
        with contextlib.suppress(KeyError):
            return text(f"profile_{profile}", self.lang)
        return profile

    @contextlib.asynccontextmanager
    async def lifespan(self, app: Starlette) -> AsyncIterator[None]:
        """Load the checks and the language detector once, before the first editor waits for them."""
        from audit.textextract import text_artifact
        from audit.texts import check_text

        cfg = {**self.cfg, "klarsprog": {**self.cfg["klarsprog"], "enabled": True}}
        await run_in_threadpool(check_text, text_artifact("warm-up", WARM_UP), "warm-up", None, cfg)
        yield
        if self.store is not None:
            with contextlib.suppress(Exception):
                self.store.close()


def create_app(cfg: dict[str, Any], *, lang: str = "da", max_upload_mb: int = 10,
               hosts: tuple[str, ...] = ("127.0.0.1", "localhost")) -> Starlette:
    """The workbench as an ASGI app answering only requests for ``hosts``."""
    wb = Workbench(cfg, lang, max_upload_mb)

    async def marks_css(request: Request) -> Response:
        return FileResponse(REPORT_TEMPLATES / MARKS_CSS, media_type="text/css")

    routes = [Route("/", wb.page, methods=["GET", "POST"]), Route("/check", wb.fragment, methods=["POST"]),
              Route("/static/marks.css", marks_css),
              Mount("/static", StaticFiles(directory=HERE / "static"), name="static")]
    middleware = [Middleware(SecurityHeaders), Middleware(TrustedHostMiddleware, allowed_hosts=list(hosts))]
    return Starlette(routes=routes, middleware=middleware, lifespan=wb.lifespan,
                     exception_handlers={Exception: wb.internal_error})


def _log(exc: BaseException) -> None:
    """An unexpected error as one line in the server's terminal (the traceback with KLARTJEK_DEBUG=1)."""
    if os.environ.get("KLARTJEK_DEBUG"):
        import traceback

        traceback.print_exception(exc)
    first = (str(exc).strip().splitlines() or [""])[0]
    print(f"klartjek serve: internal error: {type(exc).__name__}: {first} (set KLARTJEK_DEBUG=1 to see the "
          "traceback, and please report it)", file=sys.stderr, flush=True)
