"""The demo partnership's measures and the commitments its board tracks. Called at the end of
`safehub.demo.seed.seed_demo`, after every process's history, through the services.

Three commitments, as a board would have made them:
- The force's, made at the board last September: police at 95% of strategy discussions and
  every initial conference, by video where needed, applying from the force's change on 1
  March (`safehub.meetings.demo.police_change`), pre-birth conferences included. Met since
  then for strategy discussions and initial conferences, never for pre-birth conferences:
  so it is not met, the meetings that broke it are listed, and after two months running it
  was raised to the business manager.
- The councils', met throughout: each missing child's council told within a day.
- Health's, not yet due: applying from next month.

And the last six months' inspection evidence pack, asked for by the business manager.
"""

import datetime

from safehub.hub.measures import Period
from safehub.measures import services
from safehub.meetings.demo import police_change
from safehub.meetings.models import Agency
from safehub.partnership.models import Organisation, OrganisationKind, User
from safehub.timescales.calendar import add_months

BUSINESS_MANAGER = "partnership.manager"


def _september_before(day: datetime.date) -> datetime.date:
    year = day.year if day.month > 9 else day.year - 1
    return datetime.date(year, 9, 16)


def seed_measures_demo(*, today: datetime.date) -> dict[str, int]:
    manager = User.objects.filter(username=BUSINESS_MANAGER).first()
    police = Organisation.objects.filter(kind=OrganisationKind.POLICE_FORCE).order_by("name", "pk").first()
    councils = list(Organisation.objects.filter(kind=OrganisationKind.LOCAL_AUTHORITY).order_by("name", "pk"))
    trust = Organisation.objects.filter(kind=OrganisationKind.HEALTH_TRUST).order_by("name", "pk").first()
    rows = services.refresh_measures(today=today)
    if manager is None or police is None or not councils or trust is None:
        return {"measure values": rows}
    change = police_change(today)
    made = _september_before(change)
    services.record_commitment(
        by=manager,
        wording=(
            "The police will attend at least 95% of strategy discussions and every initial and pre-birth "
            "child protection conference, joining by video where an officer cannot be there in person."
        ),
        made_by=police,
        made_on=made,
        made_where=f"Safeguarding partnership board minutes, {made:%-d %B %Y}, item 4",
        applies_from=change,
        review_on=datetime.date(change.year + 1, 3, 31),
        targets=[
            ("meetings-strategy-attendance", Agency.POLICE, 95),
            ("meetings-icpc-attendance", Agency.POLICE, 100),
            ("meetings-prebirth-attendance", Agency.POLICE, 100),
        ],
    )
    services.record_commitment(
        by=manager,
        wording=(
            "The council responsible for each missing child will be told of every episode within a day of the report."
        ),
        made_by=councils[0],
        made_on=add_months(made, -6),
        made_where=f"Missing and exploitation sub-group minutes, {add_months(made, -6):%-d %B %Y}",
        applies_from=add_months(today.replace(day=1), -12),
        review_on=add_months(today.replace(day=1), 6),
        targets=[("missing-council-told", Agency.POLICE, 100)],
    )
    services.record_commitment(
        by=manager,
        wording="Health will answer at least 95% of the Children's Hub's checks within the time the hub sets.",
        made_by=trust,
        made_on=add_months(today, -1),
        made_where=f"Safeguarding partnership board minutes, {add_months(today, -1):%-d %B %Y}, item 6",
        applies_from=add_months(today.replace(day=1), 1),
        review_on=add_months(today.replace(day=1), 13),
        targets=[("hub-checks-in-time", Agency.HEALTH, 95)],
    )
    evaluated = services.evaluate_commitments(today=today)
    # The last six whole months' evidence pack, asked for from the dashboard: the demo's worker
    # makes it once the demo is loaded, so it is ready to download a moment after start-up.
    last = add_months(today.replace(day=1), -1)
    services.request_evidence_pack(by=manager, period=Period(add_months(last, -5), last))
    return {"measure values": rows, "commitments": evaluated, "evidence packs": 1}
