"""The generator's own connective wording, one disjoint set per bank.

The wording banks (corpus/banks) hold the theme sentences and most of the neutral structure. The
generator still needs a little text of its own: the sentence that states what happened to the
child, the lead-ins to lists, briefing section titles, and purpose paragraphs for document kinds a
bank's boilerplate does not cover (bank a writes partnership-era boilerplate, bank b LSCB-era and
Welsh). Like the banks, each set is written separately for bank a and bank b and no text is shared,
so the evaluation split shares no sentence template with the training split. All of it is neutral:
it expresses no theme of the codebook (the purpose paragraphs mention "abuse or neglect" as the
statutory criterion, as real ones do, and are recorded as boilerplate).

Placeholders and alternations follow corpus/banks/README.md.
"""

from __future__ import annotations

# What happened to the child: the opening statement of the review. Keyed by bank, then incident.
INCIDENT: dict[str, dict[str, tuple[str, ...]]] = {
    "a": {
        "death": (
            "{child} died in {month} {year}, aged {age}.",
            "In {month} {year}, {child}, then aged {age}, was pronounced dead at [the local hospital|the regional children's hospital] [shortly after arrival|after resuscitation attempts were unsuccessful].",
            "This review concerns {child}, who died [unexpectedly|suddenly] in {month} {year} at the age of {age}.",
            "An ambulance was called to the family home in {month} {year}; {child}, aged {age}, could not be revived and died [later that day|in hospital].",
        ),
        "serious_harm": (
            "In {month} {year}, {child}, aged {age}, was admitted to hospital with [serious|life-threatening|life-changing] injuries.",
            "This review concerns {child}, who was seriously harmed in {month} {year} at the age of {age}.",
            "{child} was taken to hospital in {month} {year}, aged {age}, and spent [several weeks|nine days|a fortnight] in [intensive care|the paediatric intensive care unit|hospital].",
            "In {month} {year}, {child}, then {age}, suffered serious harm and was treated [at a specialist children's hospital|in intensive care]; {he} [has since made a good recovery|continues to need support|is now recovering].",
        ),
    },
    "b": {
        "death": (
            "Tragically, {child} died on {date}, aged {age}.",
            "The death of {child}, aged {age}, occurred on {date}, and the case was notified to the Board [the following week|shortly afterwards].",
            "On {date} {child} ({age}) was found unresponsive and, despite the efforts of paramedics, died.",
            "{child}, {age}, died on {date}, and the Chair was informed [within days|the same week].",
        ),
        "serious_harm": (
            "On {date} {child} ({age}) was admitted to hospital having suffered significant harm.",
            "{child} sustained serious injuries on {date}, aged {age}; {he} [remains in specialist care|was discharged after several weeks|has made a partial recovery].",
            "The incident that led to this review took place on {date}, when {child}, {age}, was seriously harmed.",
            "{child} ({age}) suffered harm on {date} that required [prolonged hospital treatment|surgery and a long admission|admission to intensive care].",
        ),
    },
}

# The period under review, and lead-ins to the key lines of enquiry.
PERIOD: dict[str, tuple[str, ...]] = {
    "a": (
        "The review covers the period from {start} to {end}, with relevant earlier history summarised.",
        "The timeframe for the review runs from {start} until {end}.",
        "Agencies were asked to consider their involvement between {start} and {end}.",
    ),
    "b": (
        "Period under review: {start} to {end}.",
        "The scoping period agreed by the panel was {start} until {end}.",
        "The review examined agency contact from {start} up to and including {end}.",
    ),
}
TOR_LEAD: dict[str, tuple[str, ...]] = {
    "a": (
        "The key lines of enquiry were:",
        "The review set out to answer the following questions:",
        "The safeguarding partners asked the reviewer to consider:",
    ),
    "b": (
        "The terms of reference required the review to address:",
        "Specific issues to be addressed:",
        "The panel agreed the following areas for the review:",
    ),
}

# Purpose paragraphs for the era a bank's own boilerplate does not cover. Keyed by bank, then era.
PURPOSE: dict[str, dict[str, tuple[str, ...]]] = {
    "a": {
        "modern": (
            "Local reviews are arranged by the safeguarding partners when abuse or neglect of a child is known or suspected and the child has died or been seriously harmed; the aim is learning, not blame.",
        ),
        "scr": (
            "This Serious Case Review was commissioned by the Local Safeguarding Children Board because abuse or neglect was known or suspected and a child had [died|been seriously harmed], and because there were questions about how agencies had worked together. Its purpose is to establish what lessons can be learned, not to apportion blame.",
            "Boards are required to undertake a Serious Case Review where abuse or neglect of a child is known or suspected and the child has died or been seriously harmed in circumstances that raise concerns about inter-agency working. The review looks for learning that will improve how agencies protect children.",
        ),
        "wales": (
            "Child Practice Reviews in Wales are commissioned by the Regional Safeguarding Children Board where abuse or neglect of a child is known or suspected and the child has died or suffered serious harm. The review is a learning process that brings practitioners together to reflect on what happened.",
            "The Regional Safeguarding Children Board commissioned this review under the Welsh Government's Child Practice Review guidance, which applies where abuse or neglect is known or suspected and a child has died or been seriously harmed.",
        ),
    },
    "b": {
        "modern": (
            "Criteria: a child has died or been seriously harmed, and abuse or neglect is known or suspected. Safeguarding partners then decide whether a local review will produce learning of value; this case met that test.",
            "The statutory framework since 2018 places the duty to review serious cases on the three safeguarding partners, who may commission a full review or share learning in a shorter form where abuse or neglect is known or suspected.",
        ),
        "scr": (),
        "wales": (),
    },
}

# Briefing (7-minute briefing / learning summary) section titles and opening lines.
BRIEFING_TITLES: dict[str, dict[str, tuple[str, ...]]] = {
    "a": {
        "why": ("Why it matters", "Why this matters for practice", "The wider picture"),
        "questions": ("Questions for practitioners", "Questions to reflect on", "Think about your own practice"),
        "doing": ("What we are doing", "What the Partnership is doing", "Next steps"),
        "label": ("7-Minute Briefing", "Learning Summary", "Rapid Review Learning Briefing"),
    },
    "b": {
        "why": ("Context", "Research and national learning", "What the evidence tells us"),
        "questions": ("Reflective questions", "Points for discussion in supervision", "Questions for teams"),
        "doing": ("Actions agreed", "Board actions", "Improvement actions"),
        "label": ("Seven Minute Briefing", "Practice Learning Summary", "Learning Briefing"),
    },
}
BRIEFING_OPENING: dict[str, tuple[str, ...]] = {
    "a": (
        "This briefing is designed to be read and discussed in about seven minutes, in a team meeting, in supervision or on your own.",
        "Please share this learning summary with colleagues and use it to reflect on your own practice.",
    ),
    "b": (
        "Seven minutes is long enough to take in key learning and short enough to fit into a team meeting; use this briefing to start a discussion.",
        "This summary sets out the main learning from a recent case for front-line staff and managers; it is not a full report.",
    ),
}

# Thematic reviews: opening and per-child section titles.
THEMATIC_OPENING: dict[str, tuple[str, ...]] = {
    "a": (
        "This thematic review brings together the learning from {n} cases considered by the safeguarding partners between {start} and {end}.",
        "Rather than looking at one child, this review considers the experiences of {n} children whose cases were notified to the national Panel over a [twelve-month|two-year] period.",
    ),
    "b": (
        "The Board commissioned a multi-agency thematic audit of {n} cases in which children were harmed between {start} and {end}.",
        "{n} cases with similar features were reviewed together so that recurring themes, rather than the detail of one case, could be identified.",
    ),
}
CASE_TITLE: dict[str, tuple[str, ...]] = {
    "a": ("{child}'s story", "About {child}", "Case summary: {child}"),
    "b": ("Case {n}: {child}", "{child}", "Summary of the case of {child}"),
}

# Review type labels as they appear on covers.
REVIEW_LABEL: dict[str, tuple[str, ...]] = {
    "lcspr": ("Local Child Safeguarding Practice Review", "Local Child Safeguarding Practice Review (LCSPR)", "Child Safeguarding Practice Review"),
    "scr_overview": ("Serious Case Review: Overview Report", "Serious Case Review", "Overview Report of the Serious Case Review"),
    "scr_summary": ("Serious Case Review: Executive Summary", "Executive Summary of the Serious Case Review"),
    "cpr": ("Extended Child Practice Review", "Concise Child Practice Review", "Child Practice Review"),
    "briefing": (),  # from BRIEFING_TITLES label
    "thematic": ("Thematic Child Safeguarding Practice Review", "Thematic Review", "Multi-agency Thematic Review"),
}

# Variation frames: attributions and anchors a reviewer wraps around a statement. They change no
# meaning (a present sentence stays present, a negated one negated) and make the same statement read
# differently in different reports. {para} is a paragraph reference, {deadline} a month after
# publication, {agency} an agency name; the rest are the bank placeholders.
PREFIX: dict[str, dict[str, tuple[str, ...]]] = {
    "a": {
        "analysis": (
            "In {child}'s case, ", "For {child}, ", "As {child}'s story shows, ", "Across the agencies involved with {child}, ",
            "In the work with {mother}, ", "As the learning event in {month} {year} heard, ", "In {area}, ",
            "Practitioners who knew {child} recognised that ", "Agencies in {area} told the review that ",
            "In the reviewer's view, ", "The review found that ", "Practitioners who worked with {mother} told the review that ",
            "What stands out from {child}'s records is that ", "With hindsight, ",
        ),
        "statement": (
            "The review found that ", "The records show that ", "It is clear from the chronology that ",
            "The reviewer learned that ", "Agency records confirm that ", "It is now known that ",
        ),
        "generic": (
            "Nationally, ", "As national reviews have shown, ", "It is worth remembering that ",
            "More widely, ", "Beyond this case, ",
        ),
        "good_practice": ("In {month} {year}, ", "On more than one occasion, ", "Early on, ", "Throughout, "),
        "background": (
            "{mother} told the reviewer that ", "The family explained that ", "According to {father}, ",
            "The reviewer understands that ", "As the family describe it, ",
        ),
        "chronology": ("In {month} {year}, ", "During {month} {year}, ", "On {date}, ", "Later, in {month} {year}, "),
        "recommendation": ("It is recommended that ", "To address the learning about {child}, ", "In response to this review, "),
    },
    "b": {
        "analysis": (
            "In relation to {child}, ", "With regard to {child}'s family, ", "The case group for {child} heard that ",
            "Set against the events of {month} {year}, ", "The panel concluded that ", "In {child}'s circumstances, ",
            "The practitioners' event in {month} {year} heard that ", "The case group accepted that ", "Where {mother} was concerned, ",
            "Taken as a whole, ", "It is apparent from the records for {child} that ", "Agencies in {area} told the panel that ",
            "On reflection, ", "For this family, ",
        ),
        "statement": (
            "The panel was told that ", "It was established that ", "Agency records indicate that ",
            "The chronology shows that ", "Records examined for this review show that ",
            "It is known that ",
        ),
        "generic": (
            "Research indicates that ", "It is well established that ", "National learning suggests that ",
            "In general, ", "As a matter of wider learning, ",
        ),
        "good_practice": ("{month} {year}: ", "Notably, ", "At the outset, ", "Consistently, "),
        "background": (
            "{mother} informed the panel that ", "Family members report that ", "It is understood that ",
            "According to the agency reports, ", "Relatives say that ",
        ),
        "chronology": ("{date}: ", "{month} {year} - ", "On {date} ", "By {month} {year}, "),
        "recommendation": ("The panel recommends that ", "In the light of {child}'s case, ", "Recommendation: "),
    },
}
SUFFIX: dict[str, dict[str, tuple[str, ...]]] = {
    "a": {
        "analysis": (
            ", for example in {month} {year}", " (see paragraph {para})", ", and this was evident in {child}'s case",
            ", as the events of {month} {year} illustrate", ", which was true of the work with {mother}",
            " (paragraph {para} gives an example)",
        ),
        "statement": (" (see paragraph {para})", ", as noted at paragraph {para}"),
        "good_practice": (", for example in {month} {year}", " (see paragraph {para})"),
        "background": (", according to the family", ", as {mother} described it to the reviewer"),
        "recommendation": (
            " by {deadline}", ", and report progress to the safeguarding partners within six months",
            ", with an update to the case review group by {deadline}", " (timescale: {deadline})",
            ", and this should be in place by {deadline}",
        ),
    },
    "b": {
        "analysis": (
            " - see the chronology for {month} {year}", ", a point illustrated in {month} {year}",
            "; this applied to {child}", ", as the case group heard", " (paragraph {para} refers)",
            ", which the {month} {year} records illustrate",
        ),
        "statement": (" (paragraph {para} refers)", " - see {month} {year} in the chronology"),
        "good_practice": (" ({agency}, {month} {year})", ", a point noted in {month} {year}"),
        "background": (", as relatives told the panel", " (source: {agency} records)"),
        "recommendation": (
            ", to be completed by {deadline}", "; progress to be reported to the Board by {deadline}",
            " (target date: {deadline})", "; implementation to be reviewed in {deadline}",
            "; the Board will monitor implementation",
        ),
    },
}
JOIN: dict[str, tuple[str, ...]] = {"a": ("; ", ", and "), "b": ("; ", " - and ")}

# Who is who in the household: the line that introduces the family, from the case's fact sheet.
# {mother_is}, {father_is}, {partner_is} and {siblings} are filled by the generator; {born} is the
# child's month and year of birth. Keyed by bank, then household ("parents", "partner", "single").
HOUSEHOLD: dict[str, dict[str, tuple[str, ...]]] = {
    "a": {
        "parents": (
            "{child} was born in {born} and lived with {mother_is} and {father_is}{siblings}.",
            "Born in {born}, {child} lived with both parents: {mother_is} and {father_is}{siblings}.",
        ),
        "partner": (
            "{child} was born in {born} and lived with {mother_is} and {partner_is}{siblings}. {partner_subj} is not {child}'s father; {father_subj} lived [elsewhere in {area}|in another town] and [saw {him} most weekends|had irregular contact with {him}].",
            "Born in {born}, {child} lived with {mother_is} and {partner_is}{siblings}; {father_subj} had separated from {mother} [before {child} was born|some years earlier] and [kept in touch by phone|saw {him} now and then].",
        ),
        "single": (
            "{child} was born in {born} and lived with {mother_is}{siblings}. {father_subj_cap} did not live with the family and [had little contact with {him}|saw {him} occasionally].",
            "Born in {born}, {child} lived with {mother_is}{siblings}; {father_subj} lived apart from them and [was not in regular contact|saw {child} from time to time].",
        ),
    },
    "b": {
        "parents": (
            "Family composition: {child} (date of birth {born}) lived at home with {mother_is} and {father_is}{siblings}.",
            "At the time of the incident, {child}, born {born}, was living with {his} parents, {mother_is} and {father_is}{siblings}.",
        ),
        "partner": (
            "Family composition: {child} (date of birth {born}) lived with {mother_is} and {partner_is}{siblings}; {father_is} lived separately - {partner} is not {child}'s birth father.",
            "At the time of the incident, {child}, born {born}, was living with {mother_is} and {partner_is}{siblings}, while {father_is} had his own address and [occasional|irregular] contact.",
        ),
        "single": (
            "Family composition: {child} (date of birth {born}) lived with {mother_is}{siblings}; {father_is} did not live in the household.",
            "At the time of the incident, {child}, born {born}, was living with {mother_is}{siblings}, and {father_is} was [not in contact|only in occasional contact].",
        ),
    },
}
# How a family member is introduced in the household line, by bank: ("Ms A"-style label, label with
# its own role word, any other label). {role} is "mother", "father" or "partner". Bank a's third form,
# as the subject of a clause, is HOUSEHOLD_SUBJECT.
HOUSEHOLD_NAMED: dict[str, tuple[str, str, str]] = {
    "a": ("{his} {role} ({label})", "{label}", "{his} {role} (referred to in this report as {label})"),
    "b": ("{label} ({his} {role})", "{label}", "{label} ({his} {role})"),
}
HOUSEHOLD_SUBJECT: dict[str, tuple[str, str, str]] = {
    "a": ("{his} {role}, {label},", "{label}", "{his} {role}, referred to as {label},"),
    "b": ("{label}", "{label}", "{label}"),
}
HOUSEHOLD_SIBLINGS: dict[str, tuple[str, str, str]] = {
    # (lead-in, one sibling, joiner)
    "a": (", together with ", "{his} {relation} {word} ({label}, aged {age})", " and "),
    "b": (", and ", "{label}, {his} {relation} {word}, aged {age}", "; "),
}
