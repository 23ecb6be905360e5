"""The attribution models, described once as data: every engine reads this table.

A rule-based model is a set of *role shares* plus a *rest share*: each role (the journey's first
touch, its lead-created and opportunity-created touches, its last touch) gets its share, and the
rest share is spread evenly over the touches holding none of the model's roles. ``first``,
``last`` and ``linear`` are the degenerate cases (one role at 100 %, or everything "rest"), so
one formula, written once for numpy (:mod:`.memory`) and once as SQL (:mod:`.sql`), covers them
all. ``time_decay`` weighs touches by age instead; ``markov`` and ``shapley`` are data-driven
(:mod:`.markov`, :mod:`.shapley`): they credit channels, not single touches.
"""

from __future__ import annotations

from xl_funnel.errors import InvalidChoiceError

__all__ = [
    "DATA_DRIVEN",
    "MODELS",
    "POSITION_SHARES",
    "ROLES",
    "STAGE_MARKERS",
    "model_name",
]

#: Attribution models, by the name ``attribute`` takes.
MODELS = (
    "first",
    "last",
    "linear",
    "u_shaped",
    "w_shaped",
    "full_path",
    "j_shaped",
    "inverse_j",
    "time_decay",
    "markov",
    "shapley",
)

#: Models that credit channels from the whole data set rather than touch by touch.
DATA_DRIVEN = ("markov", "shapley")

#: Touch roles, each with its code in the ``stage`` marker column (0 = no marker). ``last`` is
#: never marked: it is always the journey's last touch.
ROLES = {"first": 1, "lead": 2, "opportunity": 3, "last": 4}

#: Values of the optional ``stage`` column, after lower-casing, trimming and reading ``_`` and
#: ``-`` as spaces, and the role each marks. Other non-blank values are an error (a typo would
#: silently move credit otherwise).
STAGE_MARKERS = {
    "first touch": "first",
    "first": "first",
    "lead created": "lead",
    "lead": "lead",
    "opportunity created": "opportunity",
    "opportunity": "opportunity",
    "opp created": "opportunity",
}

#: Share of each role, then the share spread evenly over the touches holding none of the
#: model's roles. Full-path (Z), J and inverse-J follow HubSpot's definitions; the deal-closed
#: touch of full-path is the journey's last touch.
POSITION_SHARES: dict[str, tuple[dict[str, float], float]] = {
    "first": ({"first": 1.0}, 0.0),
    "last": ({"last": 1.0}, 0.0),
    "linear": ({}, 1.0),
    "u_shaped": ({"first": 0.4, "lead": 0.4}, 0.2),
    "w_shaped": ({"first": 0.3, "lead": 0.3, "opportunity": 0.3}, 0.1),
    "full_path": ({"first": 0.225, "lead": 0.225, "opportunity": 0.225, "last": 0.225}, 0.1),
    "j_shaped": ({"first": 0.2, "last": 0.6}, 0.2),
    "inverse_j": ({"first": 0.6, "last": 0.2}, 0.2),
}

_ALIASES = {
    "first_touch": "first",
    "last_touch": "last",
    "u": "u_shaped",
    "w": "w_shaped",
    "z": "full_path",
    "z_shaped": "full_path",
    "j": "j_shaped",
    "inverse_j_shaped": "inverse_j",
    "reverse_j": "inverse_j",
    "markov_chain": "markov",
    "shapley_value": "shapley",
}


def model_name(model: str) -> str:
    """The canonical name of ``model`` (case-insensitive; ``-`` and spaces read as ``_``).

    >>> model_name("Z-shaped")
    'full_path'
    """
    name = str(model).strip().lower().replace("-", "_").replace(" ", "_")
    name = _ALIASES.get(name, name)
    if name not in MODELS:
        raise InvalidChoiceError(f"model is {model!r}: choose one of {', '.join(MODELS)}")
    return name


def receiver_role(name: str) -> str:
    """The role holding the largest share: it takes a journey's floating-point leftover."""
    shares, _ = POSITION_SHARES[name]
    return max(shares, key=shares.__getitem__) if shares else "first"
