"""How far the static engine agrees with axe-core, on the pages both engines checked.

A (page, rule) pair is compared when both engines implement the rule: the rule is in
``audit.a11y.static.RULES`` and axe-core ran it on that page (it came back as violation,
pass, incomplete or inapplicable). Each pair is *both* (both flag it), *static_only*,
*axe_only* or *neither*; pairs axe left "incomplete" (needs review) for a rule the static
engine did not flag are *undecided* and left out of the agreement figure (axe has not
said the page passes), while a static flag on an axe-incomplete pair counts as
static_only. Agreement = (both + neither) / compared pairs.

Pure: inputs are plain dicts of sets, so the audit, the benchmark and the tests share it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from audit.a11y.static import RULES as STATIC_RULES


@dataclass
class RuleAgreement:
    rule: str
    both: int = 0
    static_only: int = 0
    axe_only: int = 0
    neither: int = 0
    undecided: int = 0

    @property
    def pages(self) -> int:
        return self.both + self.static_only + self.axe_only + self.neither

    @property
    def agreement(self) -> float | None:
        return (self.both + self.neither) / self.pages if self.pages else None


@dataclass
class Agreement:
    rules: dict[str, RuleAgreement] = field(default_factory=dict)
    # (url, rule, engine that flagged it alone: "static" or "axe")
    disagreements: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def pairs(self) -> int:
        return sum(r.pages for r in self.rules.values())

    @property
    def agreeing(self) -> int:
        return sum(r.both + r.neither for r in self.rules.values())

    @property
    def agreement(self) -> float | None:
        return self.agreeing / self.pairs if self.pairs else None


def compare(static_flags: dict[str, set[str]], axe_flags: dict[str, set[str]],
            axe_ran: dict[str, set[str]] | set[str] | None = None,
            axe_incomplete: dict[str, set[str]] | None = None,
            static_rules: set[str] | None = None) -> Agreement:
    """Compare on the pages in both ``static_flags`` and ``axe_flags`` (url -> rules flagged).

    ``axe_ran`` is, per url (or for every page), the rules axe ran; None means every rule
    the static engine implements. ``axe_incomplete``: per url, rules axe could not decide.
    """
    static_rules = set(STATIC_RULES) if static_rules is None else set(static_rules)
    out = Agreement()
    for url in sorted(set(static_flags) & set(axe_flags)):
        if axe_ran is None:
            ran = static_rules
        elif isinstance(axe_ran, dict):
            ran = axe_ran.get(url, set())
        else:
            ran = axe_ran
        undecided_here = (axe_incomplete or {}).get(url, set())
        s_flags, a_flags = static_flags[url], axe_flags[url]
        for rule in sorted(static_rules & set(ran)):
            s, a = rule in s_flags, rule in a_flags
            counts = out.rules.setdefault(rule, RuleAgreement(rule))
            if s and a:
                counts.both += 1
            elif s:
                counts.static_only += 1
                out.disagreements.append((url, rule, "static"))
            elif a:
                counts.axe_only += 1
                out.disagreements.append((url, rule, "axe"))
            elif rule in undecided_here:
                counts.undecided += 1
            else:
                counts.neither += 1
    return out


def rows(agreement: Agreement, **extra) -> tuple[list[dict], list[dict]]:
    """Database rows: one per rule (``a11y_engine_agreement``), one per disagreeing pair
    (``a11y_engine_disagreements``); ``extra`` (e.g. council_code) is added to each."""
    per_rule = [dict(extra, rule=r.rule, pages=r.pages, both_flag=r.both, static_only=r.static_only,
                     axe_only=r.axe_only, neither_flag=r.neither, undecided=r.undecided,
                     agreement_pct=round(100 * r.agreement, 1) if r.agreement is not None else None)
                for r in sorted(agreement.rules.values(), key=lambda r: r.rule)]
    disagreeing = [dict(extra, url=url, rule=rule, flagged_by=engine)
                   for url, rule, engine in agreement.disagreements]
    return per_rule, disagreeing


__all__ = ["Agreement", "RuleAgreement", "compare", "rows"]
