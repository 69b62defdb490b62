"""The compact vocabularies the flow offers as buttons. Labels live in the catalogs (feeling.<id> …)."""

FEELINGS = (
    "angry", "hurt", "afraid", "lonely", "unseen", "rejected",
    "ashamed", "sad", "overwhelmed", "powerless", "disappointed", "frustrated",
)
ARMOUR = frozenset({"angry", "frustrated"})
"""Feelings that often guard a softer one: after these the flow asks what lies underneath."""
UNDER = ("hurt", "afraid", "lonely", "unseen", "rejected", "ashamed", "sad", "powerless", "disappointed")
NEEDS = (
    "heard", "seen", "respected", "safe", "space",
    "closeness", "appreciation", "honesty", "rest", "teamwork",
)
OWN_PARTS = ("voice", "left", "interrupted", "hurtful", "old", "blamed")
SELF_CARE = ("walk", "write", "talk", "water", "music")
SOOTHING = ("walk", "water", "write")
"""Still tense after breathing: what else calms a flooded body (tips soothe.tip.<id>)."""
OWN_PARTS_PURSUER = ("texted", "followed", "voice", "pushed", "blamed", "old")
"""Own parts that fit the one left behind, who often pursues (seed 002): kept texting, followed them, …"""
