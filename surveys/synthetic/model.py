"""Synthetic caring-community programme data with a documented, recoverable ground truth.

:func:`simulate` draws fictional municipalities (valid-format AGS, names, districts, population,
cohort, commitment facts) and their survey respondents from an ordinal latent-variable model in
which the strength of support structures depends on municipal and civil-society commitment, on
their interaction ("Kommunale Stärke wächst durch eine starke Zivilgesellschaft"), on the council
resolution and on the mayor; respondents' roles shift their perception (administration and mayor
rate municipal commitment higher than civil society). The answers carry realistic mess: blank
cells, "weiß nicht" (-1), "keine Angabe" (-9), straight-liners, free-text comments, two waves
with a programme effect for funded cohorts.

The ground truth is stated in the *observed* 1..5 metric, computed from the ordinal model
(``E[item | latent] = Σ_k k·P(k)``) rather than by re-simulating; see ``docs/generator.md`` for the
model, its formulas and every quantity in ``ground_truth.json``.

Writers for the five export formats live in :mod:`surveys.synthetic.writers`; :func:`write_format`
is re-exported here.

Example
-------
>>> prog = simulate(12, 15, seed=2025)
>>> prog.wide.shape[0], prog.municipalities["ags"].str.len().eq(8).all()
(180, np.True_)
>>> write_format(prog, "kobo", "out/kobo")                      # doctest: +SKIP
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import ndtr

from core.errors import GeneratorError
from surveys.dataset import MUNICIPALITY_COLUMNS, STATES, size_class
from surveys.instrument import Instrument

__all__ = [
    "GENERATOR_VERSION",
    "ConstructModel",
    "GeneratorError",
    "ModelParams",
    "SimulatedProgramme",
    "default_params",
    "simulate",
]

GENERATOR_VERSION = "1.0.0"


# ====================================================================== parameters
@dataclass(frozen=True)
class ConstructModel:
    """Municipality-level true score of one construct, on the 1..5 model metric.

    ``T_jc = mean + load_m·M_j + load_c·C_j + load_mc·M_j·C_j + council·R_j + mayor·B_j
    + resid_sd·u_jc``, plus ``trend·t + programme·F_j`` in wave ``t >= 1`` (F_j = funded cohort).
    """

    mean: float
    load_m: float = 0.0
    load_c: float = 0.0
    load_mc: float = 0.0
    council: float = 0.0
    mayor: float = 0.0
    resid_sd: float = 0.0
    programme: float = 0.0
    trend: float = 0.0


#: Construct kinds the model knows, and the default construct id of each in ``sensibilisierung``.
CONSTRUCT_KINDS = ("municipal", "civil", "effect", "partnership", "structure")
_DEFAULT_KIND_BY_ID = {
    "kommunal": "municipal",
    "zivil": "civil",
    "wirkung": "effect",
    "partnerschaft": "partnership",
    "struktur": "structure",
}


@dataclass(frozen=True)
class ModelParams:
    """All parameters of the generating model (defaults: :func:`default_params`).

    Attributes are tuples of pairs (not dicts) so that the object is hashable; use
    :meth:`as_dict` for a readable form. Metric: the 1..5 agreement scale; for a construct on
    another scale with consecutive integer codes ``lo..hi`` the latent value ``x`` is mapped to
    ``lo + (x - 1)·(hi - lo)/4`` before it is discretised.
    """

    rho_mc: float = 0.3
    constructs: tuple[tuple[str, ConstructModel], ...] = ()
    #: Role effects on the perceived score: ((role, ((kind, shift), ...)), ...).
    role_effects: tuple[tuple[str, tuple[tuple[str, float], ...]], ...] = ()
    #: Role probabilities of respondents (the mayor is relabelled from "verwaltung", see docs).
    role_probabilities: tuple[tuple[str, float], ...] = ()
    #: P(mayor answers in a municipality-wave) given mayor_involved (False, True).
    mayor_answers: tuple[float, float] = (0.15, 0.5)
    halo_sd: float = 0.25
    respondent_sd: float = 0.45
    item_sd: float = 0.70
    item_offset_range: float = 0.25
    # facts: logistic(a + b·M) for the binary facts
    council_logit: tuple[float, float] = (-0.2, 1.4)
    mayor_logit: tuple[float, float] = (0.3, 1.2)
    contact_logit: tuple[float, float] = (0.4, 1.3)
    rooms_logit: tuple[float, float] = (0.6, 0.9)
    funded_logit: tuple[float, float] = (-0.5, 0.6)
    # mess
    p_blank: float = 0.03
    p_dont_know: float = 0.025
    p_no_answer: float = 0.01
    p_straight_liner: float = 0.015
    #: Distribution of the straight-liner's single raw answer over the 5 scale positions.
    straight_values: tuple[float, ...] = (0.10, 0.0, 0.45, 0.20, 0.25)
    p_comment: float = 0.08
    p_fact_missing: float = 0.03
    #: Minimum share of answered items for a scale score (the analysis default, 2/3).
    min_share: float = 2 / 3

    def construct_model(self, kind: str) -> ConstructModel:
        return dict(self.constructs)[kind]

    def as_dict(self) -> dict[str, Any]:
        """Plain-dict form for ``ground_truth.json``."""
        out = asdict(self)
        out["constructs"] = {k: asdict(v) for k, v in self.constructs}
        out["role_effects"] = {r: dict(e) for r, e in self.role_effects}
        out["role_probabilities"] = dict(self.role_probabilities)
        out["mayor_answers"] = {"mayor_not_involved": self.mayor_answers[0],
                                "mayor_involved": self.mayor_answers[1]}
        for k in ("council_logit", "mayor_logit", "contact_logit", "rooms_logit", "funded_logit"):
            out[k] = {"a": getattr(self, k)[0], "b": getattr(self, k)[1]}
        out["straight_values"] = list(self.straight_values)
        return out


def default_params() -> ModelParams:
    """The documented default model (``docs/generator.md``, table "Parameters")."""
    return ModelParams(
        constructs=(
            ("municipal", ConstructModel(mean=3.15, load_m=0.42, programme=0.20, trend=0.05)),
            ("civil", ConstructModel(mean=3.35, load_c=0.38, programme=0.10, trend=0.05)),
            ("effect", ConstructModel(mean=3.25, load_m=0.30, load_c=0.10, resid_sd=0.12,
                                      programme=0.15, trend=0.05)),
            ("partnership", ConstructModel(mean=3.20, load_m=0.20, load_c=0.20, load_mc=0.05,
                                           resid_sd=0.12, programme=0.15, trend=0.05)),
            ("structure", ConstructModel(mean=2.95, load_m=0.28, load_c=0.24, load_mc=0.12,
                                         council=0.20, mayor=0.15, resid_sd=0.18,
                                         programme=0.30, trend=0.05)),
        ),
        role_effects=(
            ("verwaltung", (("municipal", 0.40), ("effect", 0.15), ("structure", 0.10))),
            ("buergermeister", (("municipal", 0.40), ("effect", 0.15), ("structure", 0.10))),
            ("gemeinderat", (("municipal", 0.20), ("effect", 0.10))),
            ("verein", (("civil", 0.15),)),
            ("engagiert", (("civil", 0.15),)),
            ("dienst", ()),
            ("andere", ()),
        ),
        role_probabilities=(
            ("verwaltung", 0.22),
            ("gemeinderat", 0.12),
            ("verein", 0.24),
            ("engagiert", 0.24),
            ("dienst", 0.12),
            ("andere", 0.06),
        ),
    )


#: Roles pooled as "administration" and "civil society" for the perception gap.
ADMIN_ROLES = ("verwaltung", "buergermeister")
CIVIL_ROLES = ("verein", "engagiert")

# ====================================================================== result
@dataclass(frozen=True)
class SimulatedProgramme:
    """Everything :func:`simulate` draws.

    Attributes
    ----------
    municipalities : pandas.DataFrame
        One row per municipality, columns :data:`surveys.dataset.MUNICIPALITY_COLUMNS`.
    respondents : pandas.DataFrame
        respondent_id, ags, role, wave, submitted_at (+ ``straight_liner``, generator-only).
    wide : pandas.DataFrame
        respondent_id, ags, role, wave, submitted_at, comment and one float column per item code
        holding the *raw* answer: 1..5, -1 (weiß nicht), -9 (keine Angabe), NaN (blank). The
        reverse-keyed item holds the raw (unreflected) answer.
    scores : pandas.DataFrame
        Ground truth per municipality, wave and construct: ags, wave, construct, latent (T),
        expected (expected scale score in the observed metric), within_var (expected
        within-municipality variance of a respondent's scale score).
    ground_truth : dict
        JSON-ready ground truth (model, design, observed-scale targets); ``docs/generator.md``.
    instrument : Instrument
        The instrument the answers belong to.
    params : ModelParams
        The generating parameters.
    latent : pandas.DataFrame
        Per municipality: ags, M (municipal commitment), C (civil-society commitment), funded.
    """

    municipalities: pd.DataFrame
    respondents: pd.DataFrame
    wide: pd.DataFrame
    scores: pd.DataFrame
    ground_truth: dict[str, Any]
    instrument: Instrument = field(repr=False)
    params: ModelParams = field(repr=False)
    latent: pd.DataFrame = field(repr=False)
    seed: int = 0


# ====================================================================== names
_STEMS = (
    "Linden", "Buchen", "Eichen", "Tannen", "Birken", "Wald", "Wiesen", "Mühl", "Kirch", "Stein",
    "Rosen", "Sonnen", "Ahorn", "Erlen", "Hasel", "Fichten", "Brunnen", "Kreuz", "Hirsch", "Fuchs",
    "Adler", "Falken", "Schwan", "Lauter", "Bühl", "Eber", "Hart", "Herren", "Kalten", "Hoch",
    "Gold", "Silber", "Ellen", "Frauen", "Mark", "Brück", "Schön", "Wolfs", "Otter", "Rot",
    "Schwarz", "Weiß", "Grün", "Linsen", "Hafer", "Korn", "Wein", "Hopfen",
)
_SUFFIXES = (
    "bach", "berg", "burg", "dorf", "feld", "hausen", "heim", "ingen", "stadt", "tal", "weiler",
    "au", "hofen", "wangen", "stetten", "brunn", "hardt", "bronn", "reute", "zell", "furt",
    "kirch", "acker", "halden", "münster", "wald", "see", "hofstetten",
)
_PREFIXES = ("", "", "", "", "Ober", "Unter", "Nieder", "Hohen", "Groß", "Klein", "Neu", "Alt", "Bad ")
#: Regierungsbezirk digits per state (0 where a state has none).
_RB_DIGITS = {"03": "1234", "05": "13579", "06": "456", "08": "1234", "09": "1234567"}

_COMMENTS = (
    "Vielen Dank für die Befragung!",
    "Wir bräuchten mehr Räume für Treffen.",
    "Die Zusammenarbeit mit der Verwaltung ist gut, aber langsam.",
    "- mehr Unterstützung für Ehrenamtliche wäre schön",
    "Frage 3 war schwer zu verstehen.",
    "Der Gemeinderat sollte sich stärker einbringen.",
    "Bitte die Ergebnisse veröffentlichen.",
    "Viele Engagierte sind über 70 – wir brauchen Nachwuchs.",
    "Es fehlt eine feste Ansprechperson im Rathaus.",
    "Nachbarschaftshilfe läuft super, \"Mittagstisch\" auch.",
    "Kann ich nicht beurteilen, bin neu hier.",
    "Zu viele Fragen, sorry.",
    "Die Förderung hat uns sehr geholfen, danach wird es schwierig.",
    "Mehr Transparenz bei Entscheidungen, bitte.",
    "Besuchsdienst, Fahrdienst, Einkaufshilfe: alles ehrenamtlich.",
    "Wir treffen uns jeden Dienstag im Gemeindehaus.\nKommen Sie gern vorbei!",
    "+1 für mehr Budget",
    "Bürgermeisterin ist sehr engagiert.",
    "Ohne die Kirche ginge hier gar nichts.",
    "k.A.",
)


def _fictional_names(rng: np.random.Generator, n: int) -> list[str]:
    """``n`` German-sounding fictional place names (unique while the name space allows)."""
    space = len(_PREFIXES) * len(_STEMS) * len(_SUFFIXES)
    idx = rng.choice(space, size=n, replace=n > space // 2)
    p, rest = np.divmod(idx, len(_STEMS) * len(_SUFFIXES))
    s, x = np.divmod(rest, len(_SUFFIXES))
    out = []
    for pi, si, xi in zip(p.tolist(), s.tolist(), x.tolist(), strict=True):
        base = _STEMS[si] + _SUFFIXES[xi]
        pre = _PREFIXES[pi]
        if pre and not pre.endswith(" "):
            base = base[0].lower() + base[1:]
        out.append(pre + base)
    return out


def _logistic(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


# ====================================================================== municipalities
def _draw_municipalities(
    rng: np.random.Generator, n: int, state: str, params: ModelParams
) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    if state not in STATES:
        raise GeneratorError(f"Unbekanntes Land '{state}' (01–16) / unknown state code '{state}'.")
    # latent commitments, correlated rho
    z = rng.standard_normal((n, 2))
    M = z[:, 0]
    C = params.rho_mc * z[:, 0] + math.sqrt(1 - params.rho_mc**2) * z[:, 1]

    # districts: ~40 municipalities each (Kreis 11..99 per Regierungsbezirk)
    rbs = _RB_DIGITS.get(state, "0")
    capacity = len(rbs) * 89
    n_districts = int(min(capacity, max(1, math.ceil(n / 40))))
    if n > n_districts * 999:
        raise GeneratorError(
            f"Zu viele Kommunen für ein Land ({n}) / too many municipalities for one state ({n})."
        )
    slots = rng.choice(capacity, size=n_districts, replace=False)
    d_rb = np.array([rbs[s // 89] for s in slots])
    d_kreis = slots % 89 + 11
    # every district gets at least one municipality, the rest at random
    district_of = np.sort(np.concatenate([np.arange(n_districts), rng.integers(0, n_districts, n - n_districts)]))
    # Gemeinde numbers: unique within district, 001..999
    gem = np.empty(n, dtype=int)
    for d in range(n_districts):
        members = np.flatnonzero(district_of == d)
        gem[members] = np.sort(rng.choice(999, size=members.size, replace=False) + 1)
    ags = np.array(
        [f"{state}{d_rb[d]}{d_kreis[d]:02d}{g:03d}" for d, g in zip(district_of, gem, strict=True)]
    )

    names = _fictional_names(rng, n)
    population = np.clip(np.round(np.exp(rng.normal(math.log(4500), 1.05, n))), 250, 700_000).astype(int)
    # district named after its largest municipality
    district_names = []
    for d in range(n_districts):
        members = np.flatnonzero(district_of == d)
        district_names.append("Landkreis " + names[members[np.argmax(population[members])]])
    district = np.array(district_names)[district_of]

    lp = np.log(population / 5000.0)
    R = rng.random(n) < _logistic(params.council_logit[0] + params.council_logit[1] * M)
    B = rng.random(n) < _logistic(params.mayor_logit[0] + params.mayor_logit[1] * M)
    contact = rng.random(n) < _logistic(params.contact_logit[0] + params.contact_logit[1] * M)
    rooms = rng.random(n) < _logistic(params.rooms_logit[0] + params.rooms_logit[1] * M)
    funded = rng.random(n) < _logistic(params.funded_logit[0] + params.funded_logit[1] * M)
    cohort_year = rng.random(n) < 0.5
    cohort = np.where(funded, np.where(cohort_year, "Kohorte 2024", "Kohorte 2025"), "nicht gefördert")

    res_days = rng.integers(0, (pd.Timestamp("2025-01-31") - pd.Timestamp("2019-01-01")).days, n)
    res_date = pd.Series(pd.Timestamp("2019-01-01") + pd.to_timedelta(res_days, unit="D"))
    res_date = res_date.where(R, pd.NaT).astype("datetime64[s]")

    staff = np.exp(math.log(6) + 0.45 * M + 0.25 * lp + rng.normal(0, 0.4, n))
    staff = np.where(contact | (rng.random(n) < 0.4), np.round(np.clip(staff, 0.5, 80) * 2) / 2, 0.0)
    budget = np.exp(math.log(5000) + 0.6 * M + 0.5 * lp + rng.normal(0, 0.5, n))
    budget = np.where(rng.random(n) < _logistic(-1.5 - M), 0.0, np.round(budget, -2))
    n_init = rng.poisson(np.exp(math.log(3) + 0.45 * C + 0.35 * lp))
    n_vol = rng.poisson(np.exp(math.log(40) + 0.5 * C + 0.6 * lp + rng.normal(0, 0.3, n)))

    def _with_missing(values: np.ndarray, dtype: str) -> pd.Series:
        s = pd.Series(values).astype(dtype)
        return s.mask(rng.random(n) < params.p_fact_missing)

    muni = pd.DataFrame(
        {
            "ags": pd.Series(ags, dtype="str"),
            "name": pd.Series(names, dtype="str"),
            "district": pd.Series(district, dtype="str"),
            "state": STATES[state],
            "population": population.astype("int64"),
            "size_class": size_class(pd.Series(population)),
            "cohort": pd.Series(cohort, dtype="str"),
            "council_resolution": R,
            "council_resolution_date": res_date,
            "mayor_involved": B,
            "named_contact": contact,
            "staff_hours": _with_missing(staff, "float64"),
            "budget_eur": _with_missing(budget, "float64"),
            "rooms": rooms,
            "n_initiatives": _with_missing(n_init, "Int64"),
            "n_volunteers": _with_missing(n_vol, "Int64"),
        }
    )[list(MUNICIPALITY_COLUMNS)]
    latent = {"M": M, "C": C, "R": R.astype(float), "B": B.astype(float), "F": funded.astype(float)}
    return muni, latent


# ====================================================================== instrument mapping
@dataclass(frozen=True)
class _Layout:
    """The instrument seen by the model: constructs, their kinds, scales, item offsets, roles."""

    construct_ids: tuple[str, ...]
    kinds: tuple[str, ...]
    items: tuple[tuple[str, ...], ...]
    reverse: tuple[tuple[bool, ...], ...]
    offsets: tuple[tuple[float, ...], ...]
    lo: tuple[int, ...]
    hi: tuple[int, ...]
    roles: tuple[str, ...]
    role_p: tuple[float, ...]
    role_shift: tuple[tuple[float, ...], ...]  # [role][construct]


def _construct_kinds(instrument: Instrument) -> list[str]:
    ids = [c.id for c in instrument.constructs]
    if all(i in _DEFAULT_KIND_BY_ID for i in ids):
        return [_DEFAULT_KIND_BY_ID[i] for i in ids]
    # unknown instrument: first = municipal, second = civil, last = structure, others = effect
    kinds = ["effect"] * len(ids)
    if ids:
        kinds[0] = "municipal"
    if len(ids) > 1:
        kinds[1] = "civil"
    if len(ids) > 2:
        kinds[-1] = "structure"
    return kinds


def _item_offsets(codes: Sequence[str], spread: float) -> tuple[float, ...]:
    """Seed-independent item offsets: evenly spread in [-spread, spread], order fixed by the codes."""
    k = len(codes)
    if k == 1:
        return (0.0,)
    base = np.linspace(-spread, spread, k)
    rng = np.random.default_rng(zlib.crc32("|".join(codes).encode()))
    return tuple(float(round(v, 6)) for v in rng.permutation(base))


def _layout(instrument: Instrument, params: ModelParams) -> _Layout:
    kinds = _construct_kinds(instrument)
    items, reverse, offsets, lo, hi = [], [], [], [], []
    for c in instrument.constructs:
        its = instrument.items_of(c.id)
        if not its:
            raise GeneratorError(f"Konstrukt '{c.id}' ohne Items / construct '{c.id}' has no items.")
        scales = {it.scale for it in its}
        if len(scales) != 1:
            raise GeneratorError(
                f"Konstrukt '{c.id}' mischt Skalen / construct '{c.id}' mixes answer scales."
            )
        sc = instrument.scales[scales.pop()]
        codes = sorted(sc.valid_codes)
        if codes != list(range(codes[0], codes[-1] + 1)) or len(codes) < 2:
            raise GeneratorError(
                f"Skala '{sc.name}': Codes müssen aufeinanderfolgende ganze Zahlen sein / "
                "the generator needs consecutive integer answer codes."
            )
        items.append(tuple(it.code for it in its))
        reverse.append(tuple(it.reverse for it in its))
        offsets.append(_item_offsets([it.code for it in its], params.item_offset_range))
        lo.append(codes[0])
        hi.append(codes[-1])
    try:
        role_field = instrument.field("role")
        roles = [ch.name for ch in role_field.choices]
    except KeyError:
        roles = []
    if not roles:
        raise GeneratorError("Das Instrument hat kein Feld 'role' mit Auswahl / no 'role' field.")
    given = dict(params.role_probabilities)
    p = np.array([given.get(r, 0.0) for r in roles], dtype=float)
    if p.sum() <= 0:
        p = np.ones(len(roles))
    p = p / p.sum()
    effects = {r: dict(e) for r, e in params.role_effects}
    shift = tuple(tuple(float(effects.get(r, {}).get(k, 0.0)) for k in kinds) for r in roles)
    return _Layout(
        construct_ids=tuple(c.id for c in instrument.constructs),
        kinds=tuple(kinds),
        items=tuple(items),
        reverse=tuple(reverse),
        offsets=tuple(offsets),
        lo=tuple(lo),
        hi=tuple(hi),
        roles=tuple(roles),
        role_p=tuple(float(v) for v in p),
        role_shift=shift,
    )


def _thresholds(lo: int, hi: int) -> np.ndarray:
    """Cut points on the 1..5 model metric that give codes lo..hi (midpoints between codes)."""
    k = (hi - lo) / 4.0
    return 1.0 + (np.arange(lo, hi) + 0.5 - lo) / k


# ====================================================================== analytic expectations
@dataclass(frozen=True)
class _Tables:
    """Per construct, E[scale | x] and E[scale² | x] on a grid of the role-shifted true score x."""

    grid: np.ndarray
    mean: tuple[np.ndarray, ...]
    second: tuple[np.ndarray, ...]
    p_straight_scored: float


_GRID = np.linspace(-3.0, 9.0, 2401)


_TABLE_CACHE: dict[tuple[_Layout, ModelParams], _Tables] = {}


def _tables(layout: _Layout, params: ModelParams) -> _Tables:
    """Cached :func:`_compute_tables`."""
    key = (layout, params)
    if key not in _TABLE_CACHE:
        if len(_TABLE_CACHE) > 16:
            _TABLE_CACHE.clear()
        _TABLE_CACHE[key] = _compute_tables(layout, params)
    return _TABLE_CACHE[key]


def _compute_tables(layout: _Layout, params: ModelParams) -> _Tables:
    """Expected scale score and its second moment as functions of the perceived true score.

    For a respondent with true (role-shifted) score ``x``, halo+respondent effect ``η ~ N(0, s_η²)``
    and item noise ``ε ~ N(0, σ_ε²)``, item ``i`` is ``ord(x + a_i + η + ε)``. Then
    ``E[item | x] = lo + Σ_k Φ((x + a_i − t_k)/√(s_η² + σ_ε²))``; the second moment of the scale
    mean over the answered subset (MCAR, at least ``min_share`` answered) is integrated over η by
    Gauss–Hermite quadrature. Straight-liners enter as a mixture (formulas in docs/generator.md).
    """
    s_eta = math.sqrt(params.halo_sd**2 + params.respondent_sd**2)
    s_tot = math.sqrt(s_eta**2 + params.item_sd**2)
    nodes, weights = np.polynomial.hermite_e.hermegauss(48)
    weights = weights / weights.sum()
    eta = nodes * s_eta
    p_miss = params.p_blank + params.p_dont_know + params.p_no_answer
    sv = np.asarray(params.straight_values, dtype=float)
    means, seconds = [], []
    p_scored_all = []
    for c in range(len(layout.items)):
        lo, hi = layout.lo[c], layout.hi[c]
        t = _thresholds(lo, hi)
        a = np.asarray(layout.offsets[c])
        n_items = a.size
        steps = np.arange(lo + 1, hi + 1)
        sq_steps = steps.astype(float) ** 2 - (steps - 1).astype(float) ** 2
        # closed-form mean
        z = (_GRID[:, None, None] + a[None, :, None] - t[None, None, :]) / s_tot
        mean_model = lo + ndtr(z).sum(axis=2).mean(axis=1)
        # second moment via quadrature over eta
        zc = (_GRID[:, None, None, None] + eta[None, :, None, None] + a[None, None, :, None]
              - t[None, None, None, :]) / params.item_sd
        cdf = ndtr(zc)  # G x Q x I x K
        mu = lo + cdf.sum(axis=3)
        m2 = lo**2 + (cdf * sq_steps).sum(axis=3)
        var = m2 - mu**2
        mu_bar = mu.mean(axis=2)
        v_bar = var.mean(axis=2)
        s2 = ((mu - mu_bar[..., None]) ** 2).mean(axis=2)
        m_min = max(1, math.ceil(params.min_share * n_items - 1e-9))
        ms = np.arange(m_min, n_items + 1)
        pm = np.array([math.comb(n_items, m) * (1 - p_miss) ** m * p_miss ** (n_items - m) for m in ms])
        p_scored = pm.sum()
        pm = pm / p_scored
        fpc = np.array([(n_items - m) / (n_items - 1) if n_items > 1 else 0.0 for m in ms])
        term = (v_bar[..., None] / ms + mu_bar[..., None] ** 2 + s2[..., None] / ms * fpc)  # G x Q x m
        second_model = np.einsum("gqm,q,m->g", term, weights, pm)
        # straight-liners: one raw value v for every item; reversed items are scored lo+hi-v
        codes = np.arange(lo, hi + 1, dtype=float)
        if codes.size == sv.size:
            pv = sv / sv.sum()
        else:
            pv = np.full(codes.size, 1.0 / codes.size)
        n_rev = sum(layout.reverse[c])
        xbar = ((n_items - n_rev) * codes + n_rev * (lo + hi - codes)) / n_items
        e_sl, e2_sl = float(pv @ xbar), float(pv @ xbar**2)
        # mixture weight among *scored* respondents (straight-liners never skip)
        p = params.p_straight_liner
        w_sl = p / (p + (1 - p) * p_scored) if p > 0 else 0.0
        means.append((1 - w_sl) * mean_model + w_sl * e_sl)
        seconds.append((1 - w_sl) * second_model + w_sl * e2_sl)
        p_scored_all.append(p_scored)
    return _Tables(_GRID, tuple(means), tuple(seconds), float(np.mean(p_scored_all)))


def _latent_scores(
    lat: Mapping[str, np.ndarray], U: np.ndarray, layout: _Layout, params: ModelParams, n_waves: int
) -> np.ndarray:
    """True scores T[j, wave, construct] on the 1..5 model metric."""
    M, C, R, B, F = lat["M"], lat["C"], lat["R"], lat["B"], lat["F"]
    T = np.empty((M.size, n_waves, len(layout.kinds)))
    for k, kind in enumerate(layout.kinds):
        cm = params.construct_model(kind)
        base = (cm.mean + cm.load_m * M + cm.load_c * C + cm.load_mc * M * C + cm.council * R
                + cm.mayor * B + cm.resid_sd * U[:, k])
        for w in range(n_waves):
            T[:, w, k] = base + (w > 0) * (cm.trend * w + cm.programme * F)
    return T


def _expected(T: np.ndarray, tables: _Tables, layout: _Layout, roles: Sequence[str] | None = None,
              second: bool = False, kidx: int | None = None) -> np.ndarray:
    """Expected scale score (or second moment) per [j, wave, construct], mixing over roles.

    ``roles`` restricts (and renormalises) the mixture to the given roles; ``kidx`` says that ``T``
    holds the single construct ``kidx``.
    """
    use = [i for i, r in enumerate(layout.roles) if roles is None or r in roles]
    p = np.array([layout.role_p[i] for i in use])
    if roles is not None and p.sum() == 0:  # e.g. the mayor only: use equal weights
        p = np.ones(len(use))
    p = p / p.sum()
    out = np.zeros_like(T)
    table = tables.second if second else tables.mean
    for k in range(T.shape[2]):
        kk = k if kidx is None else kidx
        shifts: dict[float, float] = {}
        for wi, i in zip(p, use, strict=True):
            s = layout.role_shift[i][kk]
            shifts[s] = shifts.get(s, 0.0) + wi
        for s, wi in shifts.items():
            out[:, :, k] += wi * _interp_grid(T[:, :, k] + s, table[kk])
    return out


def _interp_grid(x: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Linear interpolation on the uniform grid :data:`_GRID` (clamped at its ends)."""
    step = _GRID[1] - _GRID[0]
    pos = np.clip((x - _GRID[0]) / step, 0.0, _GRID.size - 1.000001)
    i = pos.astype(np.intp)
    f = pos - i
    return values[i] * (1.0 - f) + values[i + 1] * f


def _ols(y: np.ndarray, X: np.ndarray, names: Sequence[str]) -> dict[str, dict[str, float]]:
    beta, *_ = np.linalg.lstsq(X, y, rcond=None)
    resid = y - X @ beta
    dof = max(1, len(y) - X.shape[1])
    s2 = float(resid @ resid) / dof
    try:
        cov = s2 * np.linalg.inv(X.T @ X)
        se = np.sqrt(np.clip(np.diag(cov), 0, None))
    except np.linalg.LinAlgError:
        se = np.full(X.shape[1], np.nan)
    return {
        "coefficients": {n: round(float(b), 6) for n, b in zip(names, beta, strict=True)},
        "se": {n: round(float(s), 6) for n, s in zip(names, se, strict=True)},
    }


def _observed_truth(
    lat: Mapping[str, np.ndarray], U: np.ndarray, layout: _Layout, params: ModelParams,
    tables: _Tables, waves: Sequence[str], ddof: int,
) -> tuple[dict[str, Any], np.ndarray, np.ndarray, np.ndarray]:
    """All observed-scale ground-truth quantities for the municipalities in ``lat``."""
    n_waves = len(waves)
    T = _latent_scores(lat, U, layout, params, n_waves)
    E = _expected(T, tables, layout)
    V = _expected(T, tables, layout, second=True) - E**2
    ids, kinds = layout.construct_ids, layout.kinds
    out: dict[str, Any] = {}
    out["construct_means"] = {
        w: {cid: round(float(E[:, wi, k].mean()), 6) for k, cid in enumerate(ids)}
        for wi, w in enumerate(waves)
    }
    out["icc1"] = {}
    for wi, w in enumerate(waves):
        between = E[:, wi, :].var(axis=0, ddof=ddof) if E.shape[0] > ddof else np.full(len(ids), np.nan)
        within = V[:, wi, :].mean(axis=0)
        out["icc1"][w] = {cid: round(float(between[k] / (between[k] + within[k])), 6)
                          for k, cid in enumerate(ids)}
    out["between_var"] = {
        w: {cid: round(float(E[:, wi, k].var(ddof=ddof)), 6) for k, cid in enumerate(ids)}
        for wi, w in enumerate(waves) if E.shape[0] > ddof
    }
    out["within_var"] = {
        w: {cid: round(float(V[:, wi, k].mean()), 6) for k, cid in enumerate(ids)}
        for wi, w in enumerate(waves)
    }
    # perception gap: administration vs civil society, per construct (first wave)
    admin = [r for r in ADMIN_ROLES if r in layout.roles]
    civil = [r for r in CIVIL_ROLES if r in layout.roles]
    if admin and civil:
        Ea = _expected(T[:, :1], tables, layout, roles=admin)
        Ec = _expected(T[:, :1], tables, layout, roles=civil)
        out["role_gap"] = {
            "admin_roles": admin,
            "civil_roles": civil,
            "wave": waves[0],
            "by_construct": {cid: round(float((Ea - Ec)[:, 0, k].mean()), 6) for k, cid in enumerate(ids)},
        }
        ref = civil[0]
        Eref = _expected(T[:, :1], tables, layout, roles=[ref])
        effects = {}
        for r in layout.roles:
            diff = (_expected(T[:, :1], tables, layout, roles=[r]) - Eref)[:, 0, :].mean(axis=0)
            effects[r] = {cid: round(float(diff[k]), 6) for k, cid in enumerate(ids)}
        out["role_effects"] = {"reference": ref, "wave": waves[0], "by_role": effects}
    # structure regressions
    if {"municipal", "civil", "structure"} <= set(kinds):
        km, kc, ks = kinds.index("municipal"), kinds.index("civil"), kinds.index("structure")
        lo, hi = layout.lo[km], layout.hi[km]
        mid = (lo + hi) / 2
        reg: dict[str, Any] = {}
        regf: dict[str, Any] = {}
        for wi, w in enumerate(waves):
            y = E[:, wi, ks]
            xm, xc = E[:, wi, km], E[:, wi, kc]
            one = np.ones_like(y)
            if y.size > 4:
                reg[w] = _ols(y, np.column_stack([one, xm, xc, xm * xc]),
                              ["intercept", "municipal", "civil", "municipal:civil"])
                reg[w]["centred_at_midpoint"] = _ols(
                    y, np.column_stack([one, xm - mid, xc - mid, (xm - mid) * (xc - mid)]),
                    ["intercept", "municipal", "civil", "municipal:civil"],
                )["coefficients"]
            if y.size > 6:
                regf[w] = _ols(
                    y,
                    np.column_stack([one, xm - mid, xc - mid, (xm - mid) * (xc - mid), lat["R"], lat["B"]]),
                    ["intercept", "municipal", "civil", "municipal:civil", "council_resolution",
                     "mayor_involved"],
                )
        out["structure_regression"] = {
            "formula": "E_struktur ~ 1 + E_kommunal + E_zivil + E_kommunal:E_zivil (municipality level)",
            "midpoint": mid,
            "by_wave": reg,
        }
        out["structure_regression_with_facts"] = {
            "formula": "E_struktur ~ 1 + (E_kommunal-mid) * (E_zivil-mid) + council_resolution + mayor_involved",
            "by_wave": regf,
        }
        # fact effects: average marginal effect (AME) and raw difference
        cm = params.construct_model("structure")
        facts: dict[str, Any] = {}
        for name, key, beta in (("council_resolution", "R", cm.council), ("mayor_involved", "B", cm.mayor)):
            flag = lat[key].astype(bool)
            Ts1, Ts0 = T.copy(), T.copy()
            Ts1[:, :, ks] += beta * (1 - lat[key])[:, None]
            Ts0[:, :, ks] -= beta * lat[key][:, None]
            e1 = _expected(Ts1[:, :, ks:ks + 1], tables, layout, kidx=ks)[:, :, 0]
            e0 = _expected(Ts0[:, :, ks:ks + 1], tables, layout, kidx=ks)[:, :, 0]
            facts[name] = {
                "latent_effect": beta,
                "ame": {w: round(float((e1 - e0)[:, wi].mean()), 6) for wi, w in enumerate(waves)},
                "raw_difference": {
                    w: (round(float(E[flag, wi, ks].mean() - E[~flag, wi, ks].mean()), 6)
                        if flag.any() and (~flag).any() else None)
                    for wi, w in enumerate(waves)
                },
            }
        out["fact_effects"] = {"construct": ids[ks], **facts}
    # difference in differences (funded vs not funded), each later wave vs the first
    F = lat["F"].astype(bool)
    if n_waves > 1 and F.any() and (~F).any():
        out["did"] = {
            f"{waves[wi]}-{waves[0]}": {
                cid: round(float((E[F, wi, k] - E[F, 0, k]).mean() - (E[~F, wi, k] - E[~F, 0, k]).mean()), 6)
                for k, cid in enumerate(ids)
            }
            for wi in range(1, n_waves)
        }
    return out, T, E, V


_POP_CACHE: dict[tuple[Any, ...], dict[str, Any]] = {}
N_POPULATION = 400_000
_POP_SEED = 20250301


def population_truth(
    instrument: Instrument, params: ModelParams | None = None, waves: Sequence[str] = ("2025", "2027"),
    n: int = N_POPULATION,
) -> dict[str, Any]:
    """Observed-scale ground truth for the *population* of municipalities (seed-independent).

    The municipality distribution is integrated by Monte Carlo over ``n`` municipalities drawn with
    a fixed seed; every expectation given a municipality is analytic (:func:`_tables`). The result
    is the target a CI computed from a random sample of municipalities should cover.
    """
    params = params or default_params()
    layout = _layout(instrument, params)
    key = (params, layout, tuple(waves), n)
    if key in _POP_CACHE:
        return _POP_CACHE[key]
    if len(_POP_CACHE) > 16:
        _POP_CACHE.clear()
    rng = np.random.default_rng(_POP_SEED)
    z = rng.standard_normal((n, 2))
    M = z[:, 0]
    C = params.rho_mc * z[:, 0] + math.sqrt(1 - params.rho_mc**2) * z[:, 1]
    lat = {
        "M": M,
        "C": C,
        "R": (rng.random(n) < _logistic(params.council_logit[0] + params.council_logit[1] * M)).astype(float),
        "B": (rng.random(n) < _logistic(params.mayor_logit[0] + params.mayor_logit[1] * M)).astype(float),
        "F": (rng.random(n) < _logistic(params.funded_logit[0] + params.funded_logit[1] * M)).astype(float),
    }
    U = rng.standard_normal((n, len(layout.kinds)))
    tables = _tables(layout, params)
    out, *_ = _observed_truth(lat, U, layout, params, tables, waves, ddof=0)
    out["n_monte_carlo"] = n
    out["monte_carlo_seed"] = _POP_SEED
    _POP_CACHE[key] = out
    return out


# ====================================================================== respondents
def _allocate(total: int, weights: np.ndarray, floor: int) -> np.ndarray:
    """Integer counts summing to ``total``, each >= ``floor``, the rest proportional to ``weights``."""
    n = weights.size
    counts = np.full(n, floor, dtype=np.int64)
    rest = total - floor * n
    quota = rest * weights / weights.sum()
    base = np.floor(quota).astype(np.int64)
    left = rest - int(base.sum())
    order = np.argsort(-(quota - base), kind="stable")
    base[order[:left]] += 1
    return counts + base


def simulate(
    n_municipalities: int,
    respondents_per: int,
    seed: int,
    instrument: Instrument | str | None = None,
    state: str = "08",
    waves: Sequence[str] = ("2025", "2027"),
    params: ModelParams | None = None,
    equal_n: bool = False,
    population_truth_n: int | None = N_POPULATION,
) -> SimulatedProgramme:
    """Simulate a caring-community programme: municipalities, respondents, answers, ground truth.

    Parameters
    ----------
    n_municipalities : int
        Number of fictional municipalities (>= 1).
    respondents_per : int
        Mean respondents per municipality, *all waves together*: the total number of respondents
        is exactly ``n_municipalities * respondents_per``. Each municipality gets at least
        ``min(respondents_per, 5 * len(waves))``; the rest is spread in proportion to
        ``population**0.3`` times log-normal noise (unless ``equal_n``), then split evenly across
        waves.
    seed : int
        Seed; the same arguments give identical results.
    instrument : Instrument or str, optional
        Instrument or its name (default ``"sensibilisierung"``).
    state : str
        Two-digit state code (Land) of the AGS, default ``"08"`` (Baden-Württemberg).
    waves : sequence of str
        Survey waves; the first is the baseline, later waves carry trend and programme effect.
    params : ModelParams, optional
        Model parameters (default :func:`default_params`).
    equal_n : bool
        Give every municipality exactly ``respondents_per`` respondents.
    population_truth_n : int or None
        Monte Carlo size of the population ground truth (``None`` skips it).

    Returns
    -------
    SimulatedProgramme

    Raises
    ------
    GeneratorError
        For sizes < 1, an unknown state, no waves, or an instrument the model cannot serve.
    """
    if isinstance(instrument, str) or instrument is None:
        instrument = Instrument.load(instrument or "sensibilisierung")
    params = params or default_params()
    waves = tuple(str(w) for w in waves)
    if n_municipalities < 1 or respondents_per < 1:
        raise GeneratorError(
            "Mindestens eine Kommune und eine befragte Person / need at least one municipality "
            "and one respondent."
        )
    if not waves or len(set(waves)) != len(waves):
        raise GeneratorError("Wellen fehlen oder doppelt / waves missing or duplicated.")
    layout = _layout(instrument, params)
    J, W, K = n_municipalities, len(waves), len(layout.kinds)
    ss_muni, ss_resp, ss_mess = np.random.SeedSequence(seed).spawn(3)
    rng_m = np.random.default_rng(ss_muni)
    muni, lat = _draw_municipalities(rng_m, J, state, params)
    U = rng_m.standard_normal((J, K))
    tables = _tables(layout, params)
    sample_truth, T, E, V = _observed_truth(lat, U, layout, params, tables, waves, ddof=1)

    # ---------------------------------------------------------------- respondents per municipality
    rng = np.random.default_rng(ss_resp)
    total = J * respondents_per
    if equal_n:
        n_j = np.full(J, respondents_per, dtype=np.int64)
    else:
        w = muni["population"].to_numpy(float) ** 0.3 * np.exp(rng.normal(0, 0.3, J))
        n_j = _allocate(total, w, min(respondents_per, 5 * W))
    n_jw = (n_j[:, None] // W + (np.arange(W)[None, :] < (n_j % W)[:, None])).ravel()
    g = np.repeat(np.arange(J * W), n_jw)
    N = g.size
    j, wv = g // W, g % W

    # roles: iid from role_p; the mayor (if answering) relabels the first "verwaltung" answer
    role_p = np.asarray(layout.role_p)
    role = rng.choice(len(layout.roles), size=N, p=role_p)
    if "buergermeister" in layout.roles and "verwaltung" in layout.roles:
        iv, ib = layout.roles.index("verwaltung"), layout.roles.index("buergermeister")
        answers = rng.random(J * W) < np.where(
            np.repeat(lat["B"].astype(bool), W), params.mayor_answers[1], params.mayor_answers[0]
        )
        rows = np.flatnonzero(role == iv)
        grp, first = np.unique(g[rows], return_index=True)
        pick = rows[first][answers[grp]]
        role[pick] = ib

    # perceived scores and items
    shift = np.asarray(layout.role_shift)  # roles x constructs
    halo = rng.standard_normal(N).astype(np.float32) * params.halo_sd
    item_cols: list[np.ndarray] = []
    item_codes: list[str] = []
    for k in range(K):
        t = _thresholds(layout.lo[k], layout.hi[k]).astype(np.float32)
        perceived = (T[j, wv, k] + shift[role, k]).astype(np.float32) + halo
        perceived += rng.standard_normal(N, dtype=np.float32) * params.respondent_sd
        a = np.asarray(layout.offsets[k], dtype=np.float32)
        lat_items = perceived[:, None] + a[None, :]
        lat_items += rng.standard_normal((N, a.size), dtype=np.float32) * params.item_sd
        ordinal = (layout.lo[k] + np.searchsorted(t, lat_items.ravel()).reshape(lat_items.shape)).astype(np.int8)
        for i, code in enumerate(layout.items[k]):
            col = ordinal[:, i]
            if layout.reverse[k][i]:
                col = (layout.lo[k] + layout.hi[k] - col).astype(np.int8)
            item_cols.append(col)
            item_codes.append(code)
    X = np.column_stack(item_cols).astype(np.float64)

    # ---------------------------------------------------------------- mess
    rng_x = np.random.default_rng(ss_mess)
    straight = rng_x.random(N) < params.p_straight_liner
    n_sl = int(straight.sum())
    if n_sl:
        sv = np.asarray(params.straight_values, dtype=float)
        # per item scale position -> code (all constructs share the position)
        pos = rng_x.choice(sv.size, size=n_sl, p=sv / sv.sum())
        lo_i = np.concatenate([[layout.lo[k]] * len(layout.items[k]) for k in range(K)])
        hi_i = np.concatenate([[layout.hi[k]] * len(layout.items[k]) for k in range(K)])
        span = hi_i - lo_i
        X[straight] = lo_i[None, :] + np.minimum(pos[:, None], span[None, :])
    u = rng_x.random(X.shape, dtype=np.float32)
    ok = ~straight[:, None]
    pb, pd_, pn = params.p_blank, params.p_dont_know, params.p_no_answer
    X[ok & (u < pb)] = np.nan
    X[ok & (u >= pb) & (u < pb + pd_)] = -1.0
    X[ok & (u >= pb + pd_) & (u < pb + pd_ + pn)] = -9.0
    comment_pick = rng_x.integers(0, len(_COMMENTS), N)
    has_comment = rng_x.random(N) < params.p_comment

    # submission times: March to May of the wave year (or baseline + 2 years per wave), 07-22 h
    years = np.array([int(w) if w.isdigit() and len(w) == 4 else 2025 + 2 * i for i, w in enumerate(waves)])
    start = (years[wv] - 1970).astype("datetime64[Y]").astype("datetime64[D]") + np.timedelta64(59, "D")
    # March 1 = day 59 (non-leap) / 60 (leap year)
    leap = (years[wv] % 4 == 0) & ((years[wv] % 100 != 0) | (years[wv] % 400 == 0))
    start = start + leap.astype("timedelta64[D]")
    secs = rng_x.integers(0, 90, N) * 86400 + rng_x.integers(7 * 3600, 22 * 3600, N)
    submitted = start.astype("datetime64[s]") + secs.astype("timedelta64[s]")

    order = np.lexsort((np.arange(N), submitted))
    width = max(7, len(str(N)))
    rid = np.char.add("R", np.char.zfill(np.arange(1, N + 1).astype(str), width))

    ags_arr = muni["ags"].to_numpy(dtype=object)
    role_names = np.array(layout.roles, dtype=object)
    wave_arr = np.array(waves, dtype=object)
    comments = np.array(_COMMENTS, dtype=object)
    jo = j[order]
    respondents = pd.DataFrame(
        {
            "respondent_id": pd.array(rid, dtype="str"),
            "ags": pd.Categorical.from_codes(jo, categories=ags_arr).astype("str"),
            "role": pd.Categorical.from_codes(role[order], categories=role_names).astype("str"),
            "wave": pd.Categorical.from_codes(wv[order], categories=wave_arr).astype("str"),
            "submitted_at": pd.Series(submitted[order]).astype("datetime64[s]"),
        }
    )
    comment = pd.Series(
        pd.Categorical.from_codes(comment_pick[order], categories=comments).astype("str")
    ).where(has_comment[order])
    wide = pd.concat(
        [respondents, comment.rename("comment"),
         pd.DataFrame(X[order], columns=item_codes)],
        axis=1,
    )
    wide = wide[["respondent_id", "ags", "role", "wave", "submitted_at", "comment", *instrument.item_codes]]
    respondents = respondents.assign(straight_liner=straight[order])

    # ---------------------------------------------------------------- ground truth
    scores = pd.DataFrame(
        {
            "ags": np.repeat(muni["ags"].to_numpy(dtype=object), W * K),
            "wave": np.tile(np.repeat(np.array(waves, dtype=object), K), J),
            "construct": np.tile(np.array(layout.construct_ids, dtype=object), J * W),
            "latent": T.ravel(),
            "expected": E.ravel(),
            "within_var": V.ravel(),
        }
    ).astype({"ags": "str", "wave": "str", "construct": "str"})
    latent_df = pd.DataFrame({"ags": muni["ags"], "M": lat["M"], "C": lat["C"], "funded": lat["F"].astype(bool)})

    n_cells = max(1, X.size)
    truth: dict[str, Any] = {
        "generator": {
            "name": "baustein-eval generate",
            "version": GENERATOR_VERSION,
            "seed": int(seed),
            "instrument": {"name": instrument.name, "version": instrument.version},
            "state": state,
            "waves": list(waves),
        },
        "design": {
            "n_municipalities": J,
            "respondents_per": respondents_per,
            "n_respondents": int(N),
            "respondents_per_municipality": {"min": int(n_j.min()), "max": int(n_j.max())},
            "construct_kinds": dict(zip(layout.construct_ids, layout.kinds, strict=True)),
            "item_offsets": {c: dict(zip(layout.items[k], layout.offsets[k], strict=True))
                             for k, c in enumerate(layout.construct_ids)},
            "role_probabilities": dict(zip(layout.roles, layout.role_p, strict=True)),
            "respondent_id": "R + submission rank (zero-padded); equals _index (kobo), id "
                             "(limesurvey), CASE (sosci) of the single-file exports",
        },
        "model": params.as_dict(),
        "mess": {
            "expected": {
                "straight_liner_share": params.p_straight_liner,
                "blank_share": round((1 - params.p_straight_liner) * pb, 6),
                "dont_know_share": round((1 - params.p_straight_liner) * pd_, 6),
                "no_answer_share": round((1 - params.p_straight_liner) * pn, 6),
                "comment_share": params.p_comment,
            },
            "realised": {
                "straight_liners": n_sl,
                "straight_liner_share": round(n_sl / max(1, N), 6),
                "blank_share": round(float(np.isnan(X).sum() / n_cells), 6),
                "dont_know_share": round(float((X == -1).sum() / n_cells), 6),
                "no_answer_share": round(float((X == -9).sum() / n_cells), 6),
                "comments": int(has_comment.sum()),
            },
        },
        "sample": sample_truth,
        "scores_file": "ground_truth_scores.json",
    }
    if population_truth_n:
        truth["population"] = population_truth(instrument, params, waves, n=population_truth_n)
    return SimulatedProgramme(
        municipalities=muni,
        respondents=respondents,
        wide=wide,
        scores=scores,
        ground_truth=truth,
        instrument=instrument,
        params=params,
        latent=latent_df,
        seed=int(seed),
    )


def with_params(**changes: Any) -> ModelParams:
    """Default parameters with some fields replaced (convenience for experiments)."""
    return replace(default_params(), **changes)

