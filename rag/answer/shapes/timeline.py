"""A timeline: the dated events of the retrieved sentences that match the question, one line per
event in calendar order, each with its date.

An event is a date a sentence mentions (to its month at least, resolved against the article's
date when it is relative), and the sentence that mentions it. Mentions of the same date are one
event when they come from the same article, or name the same people (one person when both give
the day, two when they give only the month). A sentence of another article that gives no date
(a weekday at most) but names two of an event's people, and no other day, reports that event
too and is cited on its line ("reported by 3 articles"); one that names another weekday for it
is shown beside it.
Events whose year the articles do not state come after the others, in month order, and say so.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from corpus.dates import DateMention, PartialDate
from rag.answer.shapes.compose import Lines, counted, reported_by
from rag.answer.shapes.pool import Found, Pool
from rag.messages import message
from rag.question.broad import Shape
from rag.question.language import Language
from rag.schema import Answer

MAX_EVENTS = 12
# People an undated sentence must share with an event to be counted as reporting it.
SHARED_TO_REPORT = 2


@dataclass
class Event:
    date: PartialDate
    first: Found  # the sentence that dates it best (the date is its first mention, best score)
    mention: DateMention
    members: list[Found] = field(default_factory=list)  # every sentence telling it, first first
    people: set[int] = field(default_factory=set)
    other_day: list[Found] = field(default_factory=list)  # reports of it on another weekday

    @property
    def articles(self) -> list[str]:
        return list(dict.fromkeys(f.article_id for f in self.members))

    def weekday(self) -> int | None:
        exact = self.date.exact
        return exact.isoweekday() if exact else self.mention.weekday


def _datable(mention: DateMention) -> bool:
    return mention.date is not None and mention.date.month is not None


def _same(event: Event, found: Found, date: PartialDate, people: frozenset[int]) -> bool:
    if not event.date.agrees(date):
        return False
    if found.article_id in event.articles and date == event.date:
        return True
    both_days = event.date.day is not None and date.day is not None
    return len(event.people & people) >= (1 if both_days else 2)


def _events(pool: Pool, relevant: list[Found]) -> list[Event]:
    window = pool.question.filter.window if pool.question.filter else None
    events: list[Event] = []
    for found in relevant:
        people = pool.participants(found)
        for index, mention in enumerate(found.dates):
            if not _datable(mention) or mention.date is None:
                continue
            if window is not None and window.holds(mention.date) is False:
                continue
            event = next((e for e in events if _same(e, found, mention.date, people)), None)
            if event is None and index > 0:
                continue  # a later date of a sentence tells of something else than it does
            if event is None:
                event = Event(mention.date, found, mention)
                events.append(event)
            elif index == 0 and event.first.dates[0] != event.mention:
                event.first, event.mention = found, mention  # a sentence it is the first date of
            event.date = event.date.fuller(mention.date)
            event.members.append(found)
            event.people |= people
    return events


def _weekdays(found: Found) -> set[int]:
    return {m.weekday for m in found.dates if m.weekday is not None}


def _attach_undated(pool: Pool, relevant: list[Found], events: list[Event]) -> None:
    """Sentences of other articles that tell of an event without dating it."""
    for found in relevant:
        if any(m.weekday is None for m in found.dates):
            continue  # it dates what it tells (or says "last month" of an unknown day)
        people = pool.participants(found)
        best = max(
            (e for e in events if found.article_id not in e.articles),
            key=lambda e: (len(e.people & people), float(found.vector @ e.first.vector)),
            default=None,
        )
        if best is None or len(best.people & people) < SHARED_TO_REPORT:
            continue
        day = best.weekday()
        if day is not None and _weekdays(found) - {day}:
            best.other_day.append(found)
        elif day is None or not _weekdays(found) or day in _weekdays(found):
            best.members.append(found)


def _order(event: Event) -> tuple[bool, tuple[int, int, int, int]]:
    return event.date.year is None, event.date.sort_key()


def _label(event: Event, language: Language) -> str:
    label = event.date.label(language)
    if event.date.year is None:
        label += f" ({message('year_unknown', language)})"
    count = len(event.articles)
    return " · ".join(filter(None, (label, reported_by(count, language))))


def timeline(pool: Pool, margin: float) -> Answer | None:
    """The timeline of the question's events, or None when the sentences date none."""
    relevant = pool.relevant(margin)
    events = _events(pool, relevant)
    if not events:
        return None
    _attach_undated(pool, relevant, events)
    # The events most articles tell, then the best matching ones, when there are too many.
    events = sorted(events, key=lambda e: (-len(e.articles), -e.first.score))[:MAX_EVENTS]
    lines = Lines(pool)
    language = pool.question.language
    for event in sorted(events, key=_order):
        label = _label(event, language)
        others = [next(f for f in event.members if f.article_id == a) for a in event.articles]
        also = [f for f in others if f.article_id != event.first.article_id]
        span = (event.mention.start, event.mention.end)
        lines.add(event.first, also, label=label, date=event.date.iso(), highlight=span)
        for found in event.other_day:
            other = f"{label} · {message('other_day', language)}"
            lines.add(found, label=other, date=event.date.iso())
    lead = counted(lines, "timeline", "event", len(events))
    return lines.answer(Shape.TIMELINE, lead)
