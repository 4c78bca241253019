"""The superseded SEND law and terms the "Legally current" check looks for, as data.

The SEND reforms of 2014 (Children and Families Act 2014 Part 3, the SEND Regulations 2014 and
the SEND Code of Practice: 0 to 25 years) replaced the system that Part 4 of the Education Act
1996 and the 2001 Code of Practice had set up. Statements and Learning Difficulty Assessments
had to be moved to EHC plans by transitional deadlines that ended in 2016 (LDAs) and 2018
(statements), so by now no family has either, and a page that still describes them as how the
system works misleads a parent about their child's rights. Older still: the Disability
Discrimination Act 1995 was replaced by the Equality Act 2010, and the SEN and Disability
Tribunal (SENDIST) by the First-tier Tribunal (SEND) in 2008.

Each entry is kept conservative: a phrase goes in only when, outside an explanation of the
change, it can mean nothing but the old law. A bare "statement" (an accessibility statement, a
short breaks services statement), "action plan", "partnership with parents" or "transfer" to a
new school phase are current and are not matched. The methodology page renders this list:
``label``, ``explanation``, ``variants`` (how the term is written, readable), ``replaced_by``,
``since`` and ``source``. The rest is for the matcher:

* ``pattern``: a case-insensitive regular expression; ``(?-i:...)`` for the parts that must keep
  their capitals.
* ``keys`` and ``more_keys``: lower-case strings, one of which is in every text the pattern
  matches: the cheap pre-test of a text. Each search of a text costs ~30 µs a 44 KB page
  whatever the key (CPython's ``bytes.find`` over English), so keys are few and shared where
  terms share words ("actio" serves the three "Action" stages, "199" both "1994" and "1996",
  "temen" both statements and their transfer), at most five characters each (CPython searches
  longer needles in long texts with a slower algorithm). A web page is searched for every
  ``keys`` entry, and for the ``more_keys`` only when it names one of those terms: the rarer
  pre-reform vocabulary (SENDIST, the DDA and its duties, section 139A, Part 4 of the Education
  Act 1996, the 1994 Code) comes with the common one in the texts that still use it, and reading
  every page for it would cost the audit 0.15 ms a page more (benchmarks/law_current.py prints
  what it costs in recall). A document's pages are searched for every key of both kinds.
* ``reach``: how far a match can start before a key and end after it.
* ``near``: lower-case strings one of which is within ``reach`` of a key wherever the pattern
  matches there (empty: no such test). "Statement" and "transfer" are common words ("our
  accessibility statement", "we transfer records to the new school"): this byte test of the
  window rules most of them out before the pattern is tried (~0.3 µs instead of 2-5 µs a hit).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

CFA_2014 = "Children and Families Act 2014, Part 3 (legislation.gov.uk/ukpga/2014/6/part/3)"
SEND_REGS_2014 = "Special Educational Needs and Disability Regulations 2014 (SI 2014/1530)"
SEND_COP_2015 = "SEND Code of Practice: 0 to 25 years, DfE and DHSC, January 2015"
TRANSITION = ("Children and Families Act 2014 (Transitional and Saving Provisions) (No. 2) Order 2014 "
              "(SI 2014/2270); DfE, Transition to the new 0 to 25 SEND system (departmental advice)")


@dataclass(frozen=True)
class Term:
    id: str
    label: str
    explanation: str  # one sentence, for the methodology page and the report card
    variants: tuple[str, ...]  # how pages write it (readable; each one is matched by pattern)
    pattern: str
    keys: tuple[str, ...]
    replaced_by: str
    since: str  # ISO date the old law stopped applying (for everyone, after any transition)
    source: str
    reach: tuple[int, int]  # how far a match can start before a key's start, and end after the key's end
    more_keys: tuple[str, ...] = ()  # searched in a web page only when it names a term by one of its ``keys``
    near: tuple[str, ...] = ()  # one of them is within ``reach`` of a key wherever the pattern matches

    def regex(self) -> re.Pattern:
        return re.compile(self.pattern, re.IGNORECASE)

    def folded_regex(self) -> re.Pattern:
        """The pattern for ``dates.fold``'s lower-case ASCII bytes of a text, without IGNORECASE
        (which makes a search several times slower): the parts that keep their capitals are
        lowered too, so it matches wherever ``regex`` does and a little more; ``regex`` then
        confirms a match on the text itself. Every letter outside those parts is lower case."""
        lowered = _CASED.sub(lambda m: "(?:" + m.group(1).lower() + ")", self.pattern)
        return re.compile(lowered.encode("ascii"))


_CASED = re.compile(r"\(\?-i:([^()]*)\)")  # (?-i:...) holding no group


TERMS: tuple[Term, ...] = (
    Term(
        "sen_statement", "Statement of special educational needs",
        "Statements were replaced by Education, Health and Care (EHC) plans from 1 September 2014, and every "
        "remaining statement had to be transferred to an EHC plan or ended by 1 April 2018.",
        ("statement of special educational needs", "statement of SEN", "SEN statement", "statemented pupils",
         "statementing", "a statement or EHC plan", "children with statements", "proposed statement"),
        r"\bstatements? of (?:special educational needs?|send?)\b"
        r"|\bsen statements?\b(?! of (?:action|intent|purpose))"
        r"|\bstatement(?:ed|ing)\b"
        r"|\bstatements?(?: or an?| or| and|/) (?:an? )?(?:ehc|education,? health)"
        r"|\b(?:proposed|amended) statements?\b(?! of (?:purpose|intent|action|accounts?|policy))"
        r"|\b(?:children|child|pupils?|students?|young (?:people|person))(?:'s)? (?:(?:who )?(?:has|have|holds?) |with |holding )"
        r"(?:(?:an? |their )statement|statements)\b(?! of (?:purpose|intent|action|account|policy))",
        ("temen",),
        "Education, Health and Care plan (EHC plan)", "2018-04-01", f"{CFA_2014} ss. 36-37; {TRANSITION}",
        reach=(36, 47),
        near=("of s", "sen st", "mented", "menting", "ehc", "educa", "posed", "ended", "with", "has", "have", "hold"),
    ),
    Term(
        "school_action", "School Action",
        "School Action, the first stage of the 2001 Code's graduated response in schools, was replaced by the "
        "single category of SEN support from September 2014.",
        ("School Action", "on School Action"),
        r"\bschool action\b(?!\s*(?:plus|\+|plans?|group|days?|weeks?|team|research|network|points?))",
        ("actio",),
        "SEN support", "2014-09-01", f"{SEND_COP_2015}, paragraphs 6.44-6.56 (SEN support in schools)",
        reach=(14, 30),
    ),
    Term(
        "school_action_plus", "School Action Plus",
        "School Action Plus, the 2001 Code's stage at which schools brought in outside specialists, was replaced "
        "by SEN support from September 2014.",
        ("School Action Plus", "School Action+"),
        r"\bschool action(?:\s*\+|\s+plus\b)",
        ("actio",),
        "SEN support", "2014-09-01", f"{SEND_COP_2015}, paragraphs 6.44-6.62",
        reach=(9, 20),
    ),
    Term(
        "early_years_action", "Early Years Action and Early Years Action Plus",
        "The early years stages of the 2001 Code were replaced by SEN support in early years settings from "
        "September 2014.",
        ("Early Years Action", "Early Years Action Plus"),
        r"\bearly years action\b(?!\s*(?:plans?|group|days?|weeks?|team|network))",
        ("actio",),
        "SEN support in the early years", "2014-09-01", f"{SEND_COP_2015}, chapter 5 (early years providers)",
        reach=(14, 35),
    ),
    Term(
        "code_of_practice_2001", "SEN Code of Practice 2001 (and the 1994 Code)",
        "The Special Educational Needs Code of Practice of 2001 (DfES/581/2001), itself the successor of the "
        "1994 Code, was replaced by the SEND Code of Practice: 0 to 25 years (2014, revised January 2015).",
        ("SEN Code of Practice 2001", "Code of Practice (DfES, 2001)", "the 2001 Code of Practice",
         "DfES/581/2001"),
        r"\bcode of practice(?: (?:for|on) [a-z ]{0,80}?)?[\s,:(]*(?:dfes[\s,/]*(?:581/)?)?(?:1994|2001)\b"
        r"|\b(?:1994|2001)\)?[\s,]*(?:sen |send |special educational needs )?code\b"
        r"|\bdfes ?/? ?581/2001\b",
        ("2001",),
        "SEND Code of Practice: 0 to 25 years (2015)", "2014-09-01",
        f"{SEND_COP_2015}; {CFA_2014} s. 77 (the duty to have regard to the Code)",
        reach=(110, 46), more_keys=("199",),
    ),
    Term(
        "lda", "Learning Difficulty Assessment (section 139A)",
        "Learning Difficulty Assessments under section 139A of the Learning and Skills Act 2000 were replaced by "
        "EHC plans for young people up to 25; any LDA left after 1 September 2016 no longer had legal effect.",
        ("Learning Difficulty Assessment", "LDA (Section 139A)", "Section 139A assessment",
         "Learning Disability Assessment (LDA)"),
        r"\blearning difficult(?:y|ies) assessments?\b"
        r"|\b(?:section|s\.?) ?139 ?a\b"
        r"|\blearning disability assessments? \(ldas?\)",
        ("ng di",),
        "Education, Health and Care plan (EHC plan)", "2016-09-01", f"{CFA_2014}; {TRANSITION}",
        reach=(36, 30), more_keys=("139",),
    ),
    Term(
        "parent_partnership", "Parent Partnership Service",
        "Parent Partnership Services were replaced by Information, Advice and Support Services (SENDIASS), "
        "which must also advise children and young people, from September 2014.",
        ("Parent Partnership Service", "Parent Partnership", "parent partnership officer"),
        r"\bparent partnership (?:services?|officers?|teams?|workers?|co-?ordinators?|advis[eo]rs?|schemes?|network)\b"
        r"|(?-i:\bParent Partnership\b)",
        ("partn",),
        "Information, Advice and Support Service (SENDIASS)", "2014-09-01",
        f"{CFA_2014} ss. 19 and 32; {SEND_COP_2015}, chapter 2",
        reach=(9, 30),
    ),
    Term(
        "transition_to_ehcp", "Transfer of statements to EHC plans (ended 2018)",
        "The transition period in which statements and LDAs were transferred to EHC plans ended on 31 March "
        "2018, so a page describing transfers as still to come is out of date.",
        ("transfer review", "statements will be transferred to EHC plans", "converting statements to EHCPs",
         "timetable for transfer"),
        r"\btransfer(?<!phase transfer)(?<!phase-transfer) reviews?\b"
        r"|\b(?:(?:statements?|ldas?)(?: of (?:sen|special educational needs?))? )?"
        r"(?:will be|to be|are being|is being|are|is) (?:transferred|converted|transferring|converting) (?:over )?"
        r"(?:from (?:an? |their )?(?:statements?|ldas?|learning difficulty assessments?)(?: of sen)? )?"
        r"(?:to|into|onto) (?:an? |the new |the )?(?:ehc|education,? health)"
        r"|\b(?:transferring|converting|transfer|conversion of) (?:all |existing |the )?(?:statements|ldas)\b"
        r"(?: of (?:sen|special educational needs?))? (?:to|into|onto) (?:an? )?(?:ehc|education,? health)"
        r"|\btimetable for (?:the )?(?:transfer|conversion)\b",
        ("nsfer", "temen"),
        "EHC plans for everyone who needs one (transfers completed)", "2018-04-01", TRANSITION,
        reach=(60, 130), near=("ehc", "educa", "eview", "timet"),
    ),
    Term(
        "education_act_1996_part4", "Education Act 1996, Part 4 (special educational needs)",
        "The SEN duties of Part 4 of the Education Act 1996 (assessments and statements, sections 312-336 and "
        "Schedule 27) were replaced by Part 3 of the Children and Families Act 2014.",
        ("Part 4 of the Education Act 1996", "Part IV of the Education Act 1996",
         "section 324 of the Education Act 1996", "Education Act 1996, Schedule 27"),
        r"\bpart (?:4|iv) of the education act,? 1996\b"
        r"|\beducation act,? 1996,? (?:part (?:4|iv)|s(?:ection|\.)? ?3(?:1[2-9]|2\d|3[0-6])|schedule 27)\b"
        r"|\b(?:s(?:ection|\.)? ?3(?:1[2-9]|2\d|3[0-6])|schedule 27) (?:of )?(?:the )?education act,? 1996\b",
        (),
        "Children and Families Act 2014, Part 3", "2014-09-01", f"{CFA_2014}; {TRANSITION}",
        reach=(40, 21), more_keys=("199",),
    ),
    Term(
        "sendist", "SENDIST (Special Educational Needs and Disability Tribunal, before 2008)",
        "SENDIST became the First-tier Tribunal (Special Educational Needs and Disability) on 3 November 2008.",
        ("SENDIST",),
        r"\bsendist\b",
        (),
        "First-tier Tribunal (Special Educational Needs and Disability), the SEND Tribunal", "2008-11-03",
        "Transfer of Tribunal Functions Order 2008 (SI 2008/2833); Tribunals, Courts and Enforcement Act 2007",
        reach=(3, 10), more_keys=("ndist",),
    ),
    Term(
        "dda", "Disability Discrimination Act and the Disability Equality Duty",
        "The Disability Discrimination Act 1995 (and the disability equality duty and schemes it added in 2005) "
        "was replaced by the Equality Act 2010 and its public sector equality duty.",
        ("Disability Discrimination Act 1995", "DDA", "Disability Equality Duty", "Disability Equality Scheme"),
        r"\bdisability discrimination acts?\b|(?-i:\bDDA\b)|\bdisability equality (?:duty|duties|schemes?)\b",
        (),
        "Equality Act 2010 (including the public sector equality duty, s. 149)", "2010-10-01",
        "Equality Act 2010 (legislation.gov.uk/ukpga/2010/15), s. 211 and Schedule 27 (repeals)",
        reach=(16, 20), more_keys=("crimi", "dda", "ty eq"),
    ),
)

TERMS_BY_ID = {term.id: term for term in TERMS}

__all__ = ["Term", "TERMS", "TERMS_BY_ID"]
