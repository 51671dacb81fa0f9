"""The investigative opportunities every force starts with: the checklist an investigation
gets when the force keeps none of its own. They are written to the database (by migration
0002, and again by `services.opportunities_for` if none are there), where each partnership
changes them in the admin: switch one off rather than deleting it."""

ALL: list[str] = []
HARM = ["physical_abuse", "sexual_abuse", "neglect"]
DEFAULTS: list[tuple[str, str, list[str], int | None, int | None]] = [
    (
        "ABE interview of the child",
        "An achieving best evidence interview, or the reason one is not possible.",
        ALL,
        3,
        None,
    ),
    ("Medical or paediatric assessment", "A child protection medical by a paediatrician.", HARM, None, None),
    (
        "Skeletal survey",
        "For a child under two with an injury: a skeletal survey and head scan.",
        ["physical_abuse"],
        None,
        1,
    ),
    (
        "Sexual assault referral centre",
        "A referral to the SARC for a forensic examination and support.",
        ["sexual_abuse"],
        None,
        None,
    ),
    (
        "Scene visited and photographed",
        "The place it happened: visited, photographed and, if needed, examined.",
        HARM,
        None,
        None,
    ),
    (
        "House-to-house enquiries",
        "Neighbours and passers-by who may have seen or heard something.",
        ["physical_abuse", "neglect"],
        None,
        None,
    ),
    ("Witnesses identified and statements taken", "", ALL, None, None),
    (
        "Digital devices seized and downloaded",
        "Phones, tablets and computers of the suspect and, with consent, the child.",
        ["sexual_abuse", "online_abuse", "exploitation"],
        None,
        None,
    ),
    (
        "CCTV sought",
        "Cameras near the places involved, before their recordings are overwritten.",
        ["physical_abuse", "sexual_abuse", "exploitation"],
        None,
        None,
    ),
    ("Suspect arrested and interviewed", "", ALL, None, None),
    (
        "Checks with the council, health and the school",
        "What social care, health and the child's school know.",
        ALL,
        None,
        None,
    ),
    (
        "Siblings and other children in the household seen",
        "Every other child the suspect has access to, seen and spoken to.",
        ALL,
        None,
        None,
    ),
    (
        "Partner-agency information sought",
        "Probation, housing, mental health and domestic abuse services.",
        ALL,
        None,
        None,
    ),
]
