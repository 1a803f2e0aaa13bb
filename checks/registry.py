"""The check registry: every check klartjek knows, in one shape.

A check is metadata (``CheckMeta``) beside one pure function of the document's artifacts::

    @check(code="KD001", name="docx-title", category=Category.DOCUMENT, impact=Impact.SERIOUS,
           wcag=("2.4.2",), level="A", title={"da": …, "en": …}, description={"da": …, "en": …},
           applies_to=("letter",), requires=("docx",), target=TargetKind.DOCX)
    def docx_title(artifacts, ctx) -> list[Finding] | Outcome | Verdict | None: …

The function returns
- a list of findings: *failed* when one of them failed, *needs review* (cant_tell) when all need
  review, *passed* when the list is empty;
- ``INAPPLICABLE``: the check does not apply to this document;
- ``None``: no result at all (an axe rule this run did not ask axe-core for; a text in a language
  klartjek does not assess);
- a ``Verdict`` for what those cannot say (axe-core's own errors and passes).
``evaluate`` turns any of them into a CheckResult, in this one place: a finding's impact and help URL
default to the check's, the outcome and the result's impact follow from the findings, a check that
raises becomes an *error* result. Values several checks of a document share (the text's analysis,
the index of axe-core's results) are computed once per document on the context
(``ctx.computed(fn)``, after Lighthouse's computed artifacts), never written into the artifacts.

Checks are looked up by their stable code (``KA012``), their readable name (``image-alt``) or an
alias; selected by code, name, family or tag (``checks.select``); listed in docs/checks.md, which
scripts/gen_docs.py makes from this registry.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

from core.model import SHOT_STATES, Category, CheckResult, Finding, Impact, Outcome, TargetKind, max_impact

Artifacts = dict[str, Any]
INAPPLICABLE = Outcome.INAPPLICABLE
LEVEL_ORDER = {"A": 1, "AA": 2, "AAA": 3}


@dataclass(frozen=True)
class Verdict:
    """An outcome a list of findings cannot express (an error, or *passed* with no finding but
    only when the tool says so)."""
    outcome: Outcome
    findings: tuple[Finding, ...] = ()
    error: str | None = None


class CheckContext:
    """What a check sees besides the artifacts: the run's configuration, the document's kind, and
    per-document computed values (``computed``), made on first request and shared by the checks."""

    def __init__(self, artifacts: Artifacts, config: dict[str, Any] | None = None, kind: str = "page") -> None:
        self.artifacts = artifacts
        self.config = config or {}
        self.kind = kind
        self._computed: dict[Callable, Any] = {}

    def computed(self, fn: Callable[[Artifacts, CheckContext], Any]) -> Any:
        """``fn(artifacts, ctx)``, computed once for this document."""
        if fn not in self._computed:
            self._computed[fn] = fn(self.artifacts, self)
        return self._computed[fn]


Evaluate = Callable[[Artifacts, CheckContext], Any]


@dataclass(frozen=True)
class CheckMeta:
    code: str                              # stable, never reused: KA001 …
    name: str                              # readable, kebab-case
    family: str                            # the module's family: axe, klarsprog, pdf, docx, memo, letter …
    category: Category                     # what it judges: reports, scores and selection read this
    title: dict[str, str | None]           # {"da": …, "en": …}; da None when no translation exists
    description: dict[str, str | None]
    impact: Impact | None                  # the check's default impact
    wcag: tuple[str, ...] = ()             # success criteria, e.g. ("1.1.1",)
    level: str | None = None               # A | AA | AAA; None when no success criterion
    wcag_version: str | None = None        # the WCAG version that introduced the criterion
    tags: tuple[str, ...] = ()
    help_url: str | None = None
    aliases: tuple[str, ...] = ()
    applies_to: tuple[str, ...] = ("page",)   # document kinds: page, letter, text
    requires: tuple[str, ...] = ()         # artifacts the function reads; without them it is not run
    target: TargetKind = TargetKind.CSS    # what a finding's target points into
    related_wcag: tuple[str, ...] = ()     # criteria a check serves as guidance only (never WCAG conformance)
    engine_rule: str | None = None         # the axe-core rule behind the check, when there is one
    screenshot: str | None = None          # the state the page shows a failure in (SHOT_STATES), None: as loaded
    evaluate: Evaluate | None = field(default=None, compare=False, repr=False)

    def text(self, what: str, lang: str) -> str:
        """title or description in ``lang``, falling back to English."""
        texts = getattr(self, what)
        return texts.get(lang) or texts.get("en") or ""

    def translated(self, lang: str) -> bool:
        return bool(self.title.get(lang)) and bool(self.description.get(lang))


class Registry:
    def __init__(self) -> None:
        self._by_code: dict[str, CheckMeta] = {}
        self._lookup: dict[str, str] = {}

    def register(self, meta: CheckMeta) -> CheckMeta:
        for key in (meta.code, meta.name, *meta.aliases):
            owner = self._lookup.get(key.lower())
            if owner and owner != meta.code:
                raise ValueError(f"check key {key!r} of {meta.code} is already used by {owner}")
        if meta.code in self._by_code:
            raise ValueError(f"check code {meta.code} registered twice")
        self._by_code[meta.code] = meta
        for key in (meta.code, meta.name, *meta.aliases):
            self._lookup[key.lower()] = meta.code
        return meta

    def unregister(self, code: str) -> None:
        """Remove a check (a test's throwaway check)."""
        meta = self._by_code.pop(code)
        for key in (meta.code, meta.name, *meta.aliases):
            self._lookup.pop(key.lower(), None)

    def get(self, key: str) -> CheckMeta | None:
        code = self._lookup.get(key.lower())
        return self._by_code[code] if code else None

    def __iter__(self):
        return iter(sorted(self._by_code.values(), key=lambda m: m.code))

    def __len__(self) -> int:
        return len(self._by_code)

    def select(self, config: dict[str, Any], kind: str = "page") -> list[CheckMeta]:
        """The checks a run with this configuration evaluates on documents of ``kind``."""
        chosen = config.get("checks") or {}
        select = {k.lower() for k in chosen.get("select") or []}
        ignore = {k.lower() for k in chosen.get("ignore") or []}
        return [m for m in self if kind in m.applies_to and _wanted(m, config)
                and (not select or _matches(m, select)) and not _matches(m, ignore)]

    def unknown_keys(self, keys) -> list[str]:
        """Those of ``keys`` that name no check, family, category or tag (for a clear config error)."""
        known = {k.lower() for m in self for k in _keys(m)}
        return [k for k in keys if k.lower() not in known]


def _keys(meta: CheckMeta) -> tuple[str, ...]:
    return (meta.code, meta.name, meta.family, meta.category.value, *meta.aliases, *meta.tags)


def _matches(meta: CheckMeta, keys: set[str]) -> bool:
    """Does a check answer to one of ``keys``: its code, name, alias, family, category or a tag?"""
    return bool(keys) and any(k.lower() in keys for k in _keys(meta))


PLAIN_CATEGORIES = (Category.PLAIN_LANGUAGE, Category.LETTER_CONTENT)


def _wanted(meta: CheckMeta, config: dict[str, Any]) -> bool:
    if meta.category in PLAIN_CATEGORIES:
        return bool(config.get("klarsprog", {}).get("enabled", True))
    tags = set(meta.tags)
    if "experimental" in tags and not config.get("experimental"):
        return False
    version = config.get("wcag_version", "2.2")
    if "wcag2a-obsolete" in tags:        # 4.1.1 Parsing: part of WCAG 2.0 and 2.1, obsolete in 2.2
        return version in ("2.0", "2.1")
    if "deprecated" in tags:
        return False
    if meta.category == Category.BEST_PRACTICE:
        return bool(config.get("best_practices"))
    if meta.level is None:               # no success criterion: a check of klartjek's own
        return True
    if LEVEL_ORDER[meta.level] > LEVEL_ORDER[config.get("level", "AA")]:
        return False
    return _version_key(meta.wcag_version or "2.0") <= _version_key(version)


def _version_key(v: str) -> tuple[int, ...]:
    return tuple(int(p) for p in v.split("."))


# -- declaring a check ------------------------------------------------------------------------------

REGISTRY = Registry()


def check(*, code: str, name: str, category: Category, title: dict[str, str | None],
          description: dict[str, str | None], impact: Impact | str | None, family: str,
          wcag: tuple[str, ...] = (), level: str | None = None, wcag_version: str | None = None,
          tags: tuple[str, ...] = (), help_url: str | None = None, aliases: tuple[str, ...] = (),
          applies_to: tuple[str, ...] = ("page",), requires: tuple[str, ...] = (),
          target: TargetKind = TargetKind.CSS, related_wcag: tuple[str, ...] = (),
          screenshot: str | None = None, registry: Registry | None = None) -> Callable[[Evaluate], Evaluate]:
    """Register the decorated function as a check (see the module's docstring). Tags get the
    family and ``wcagNNN`` for each criterion; without a help_url a check with a criterion links to
    the criterion's Understanding page. ``screenshot``: the state in which a screenshot shows a
    failure (one of SHOT_STATES: the page at 320 px, with WCAG's text spacing, with its text at 200 %,
    the element focused or hovered); without it the page as loaded."""
    from core.wcag import understanding_url

    if screenshot not in (None, *SHOT_STATES):
        raise ValueError(f"{code}: screenshot state {screenshot!r} is none of {', '.join(SHOT_STATES)}")

    def register(fn: Evaluate) -> Evaluate:
        (registry or REGISTRY).register(CheckMeta(
            code=code, name=name, family=family, category=Category(category), title=title,
            description=description, impact=Impact(impact) if impact else None, wcag=tuple(wcag), level=level,
            wcag_version=wcag_version or ("2.0" if wcag else None),
            tags=tuple(dict.fromkeys((family, *(f"wcag{sc.replace('.', '')}" for sc in wcag), *tags))),
            help_url=help_url or (understanding_url((wcag or related_wcag)[0]) if (wcag or related_wcag) else None),
            aliases=tuple(aliases), applies_to=tuple(applies_to), requires=tuple(requires), target=target,
            related_wcag=tuple(related_wcag), screenshot=screenshot, evaluate=fn))
        return fn

    return register


def family(name: str, **defaults: Any) -> Callable[..., Callable[[Evaluate], Evaluate]]:
    """``check`` with a family's shared settings filled in: ``pdf_check = family("pdf",
    category=…, requires=("pdf",), applies_to=("letter",), target=TargetKind.PDF)``."""
    def declare(**kwargs: Any) -> Callable[[Evaluate], Evaluate]:
        return check(**{"family": name, **defaults, **kwargs})
    return declare


# -- evaluating ---------------------------------------------------------------------------------

def evaluate(meta: CheckMeta, ctx: CheckContext) -> CheckResult | None:
    """Run one check on one document."""
    try:
        answer = meta.evaluate(ctx.artifacts, ctx)
    except Exception as exc:  # a faulty check must not sink the document
        return _result(meta, Outcome.ERROR, [], f"{type(exc).__name__}: {exc}")
    res = result_of(meta, answer)
    if res is None or not res.findings:
        return res
    values = (ctx.artifacts.get("text") or {}).get("values") if meta.category == Category.PLAIN_LANGUAGE else None
    if values:
        # a text's spans filled in for the author (an SMS template's placeholders at their longest values,
        # core/sms.py): the plain-language checks judge what the author wrote, not those
        res = _keep(meta, res, lambda f: not (f.span and any(a <= f.span[0] and f.span[1] <= b for a, b in values)))
    outside = (ctx.artifacts.get("scope") or {}).get("outside")
    if outside:
        # [[pages]] include/exclude (audit/pageopts.py): what lies outside the checked part is not reported
        outside = set(outside)
        res = _keep(meta, res, lambda f: f.target not in outside)
    return res


def _keep(meta: CheckMeta, res: CheckResult, keep: Callable[[Finding], bool]) -> CheckResult:
    """``res`` with only the findings ``keep`` keeps; a failure with none left passes."""
    kept = [f for f in res.findings if keep(f)]
    if len(kept) == len(res.findings):
        return res
    outcome = res.outcome
    if outcome in (Outcome.FAILED, Outcome.CANT_TELL):
        outcome = (Outcome.FAILED if any(f.outcome == Outcome.FAILED for f in kept)
                   else Outcome.CANT_TELL if kept else Outcome.PASSED)
    return _result(meta, outcome, kept, res.error)


def result_of(meta: CheckMeta, answer: Any) -> CheckResult | None:
    """The one place a check's answer becomes a CheckResult (see the module's docstring)."""
    if answer is None:
        return None
    if isinstance(answer, Outcome):
        return _result(meta, answer, [], None)
    if isinstance(answer, Verdict):
        findings, outcome, error = _complete(meta, answer.findings), answer.outcome, answer.error
    else:
        findings = _complete(meta, answer)
        outcome = (Outcome.FAILED if any(f.outcome == Outcome.FAILED for f in findings)
                   else Outcome.CANT_TELL if findings else Outcome.PASSED)
        error = None
    return _result(meta, outcome, findings, error)


def _complete(meta: CheckMeta, findings: Iterable[Finding]) -> list[Finding]:
    out = list(findings)
    for f in out:
        f.outcome = Outcome(f.outcome)
        f.impact = Impact(f.impact) if f.impact else meta.impact
        f.help_url = f.help_url or meta.help_url
    return out


def _result(meta: CheckMeta, outcome: Outcome, findings: list[Finding], error: str | None) -> CheckResult:
    """The result's impact: the highest of its failures, else of those to review, else the check's own."""
    impact = (max_impact(f.impact for f in findings if f.outcome == Outcome.FAILED)
              or max_impact(f.impact for f in findings) or meta.impact)
    return CheckResult(code=meta.code, name=meta.name, outcome=outcome, impact=impact, wcag=list(meta.wcag),
                       level=meta.level, findings=findings, error=error, category=meta.category,
                       target_kind=meta.target)


def evaluate_all(checks: Iterable[CheckMeta], artifacts: Artifacts, config: dict[str, Any] | None = None,
                 kind: str = "page", ctx: CheckContext | None = None) -> list[CheckResult]:
    """Every check whose artifacts are present, on one document (one context for all of them)."""
    ctx = ctx or CheckContext(artifacts, config, kind)
    results = []
    for meta in checks:
        if meta.evaluate is None or any(a not in artifacts for a in meta.requires):
            continue
        res = evaluate(meta, ctx)
        if res is not None:
            results.append(res)
    return results


# -- site checks ----------------------------------------------------------------------------------

SiteVerdict = dict[str, list[Finding]]      # document location → its findings ([]: passed)


def evaluate_site(checks: Iterable[CheckMeta], site: Artifacts, config: dict[str, Any] | None = None
                  ) -> dict[str, list[CheckResult]]:
    """Checks of a whole crawl (``applies_to`` "site"): each looks at ``site`` (its documents and
    what the crawl found) and answers per document; the answers become results on those documents,
    made by ``evaluate`` as for a document's own checks. Returns location → results."""
    ctx = CheckContext(site, config, "site")
    out: dict[str, list[CheckResult]] = {}
    for meta in checks:
        if meta.evaluate is None or "site" not in meta.applies_to:
            continue
        try:
            answers = meta.evaluate(site, ctx)
        except Exception as exc:  # a faulty check must not sink the run
            answers = {"": Verdict(Outcome.ERROR, (), f"{type(exc).__name__}: {exc}")}
        for location, answer in (answers or {}).items():
            res = result_of(meta, answer)
            if res is not None and location:
                out.setdefault(location, []).append(res)
    return out
