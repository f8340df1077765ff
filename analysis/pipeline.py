"""One entry point for the whole analysis: :func:`run` (dataset in, :class:`Results` out).

The steps, each a pure function of another module:

1. scoring (:mod:`analysis.scoring`): reverse keying, scale means with a minimum share of
   answered items;
2. reliability per construct overall, per role and per municipality (:mod:`analysis.reliability`);
3. aggregation to municipalities: ICC(1)/ICC(2)/REML ICC and within-group agreement
   (:mod:`analysis.aggregation`);
4. comparing municipalities: summaries with empirical-Bayes means, funnel limits, comparisons by
   size class, district and cohort, Likert frequencies (:mod:`analysis.descriptives`,
   :mod:`analysis.funnel`, :mod:`analysis.comparisons`);
5. kinds of commitment vs. structure strength: typologies, the multilevel model, the Baustein's
   hypotheses (:mod:`analysis.typology`, :mod:`analysis.multilevel`, :mod:`analysis.hypotheses`);
6. perspective gaps between roles and change between waves (:mod:`analysis.perspectives`,
   :mod:`analysis.waves`).

Every table passes the small-cell rule (:func:`analysis.small_cells.suppress_small_groups`) before it
is returned; free text and respondent identifiers never enter a table. The run is deterministic.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from core.errors import AnalysisError

from .aggregation import icc, rwg
from .comparisons import compare_groups
from .descriptives import likert_frequencies, municipality_summary
from .funnel import funnel_limits
from .hypotheses import evaluate_hypotheses
from .multilevel import fit_multilevel
from .perspectives import perspective_gaps
from .reliability import cronbach_alpha, item_analysis, mcdonald_omega, reliability_by_group
from .results import AnalysisConfig, Results, TableDoc
from .scoring import reverse_items, scales_from_instrument, score_scales
from .small_cells import suppress_small_groups
from .typology import commitment_typology, fact_typology, structure_by_type
from .waves import did_estimate, wave_change

__all__ = ["run", "score_dataset"]

#: Roles counted as "municipality side" and "civil-society side" for perspective gaps.
MUNICIPAL_ROLES = ("verwaltung", "buergermeister", "gemeinderat")
CIVIL_ROLES = ("verein", "engagiert")

# Construct ids of the commitment question (the generic functions take any column names; these
# are the ids of the packaged instrument and of Bausteine drafted from the same series).
MUNICIPAL, CIVIL, STRUCTURE = "kommunal", "zivil", "struktur"


def score_dataset(dataset: Any, config: AnalysisConfig | None = None) -> tuple[pd.DataFrame, dict[str, list[str]]]:
    """Respondent-level analysis frame with scale scores (one column per construct).

    Returns the frame (respondent fields, item answers, municipality facts, scale scores and
    ``<scale>_n_items``) and the scales mapping construct -> items.
    """
    cfg = config or AnalysisConfig()
    inst = dataset.instrument
    frame = dataset.analysis_frame()
    scales, _ = scales_from_instrument(inst)
    lo = min(s.min for s in inst.scales.values())
    hi = max(s.max for s in inst.scales.values())
    # reverse-keyed on each item's own scale (min + max − x), then scored
    scores = score_scales(_reverse_keyed(frame, inst), scales, scale_min=lo, scale_max=hi, min_share=cfg.min_share)
    frame = pd.concat([frame.reset_index(drop=True), scores.reset_index(drop=True)], axis=1)
    frame[cfg.group] = frame[cfg.group].astype(str)
    frame["funded"] = _funded(frame.get("cohort"))
    return frame, scales


def _reverse_keyed(frame: pd.DataFrame, inst: Any) -> pd.DataFrame:
    """``frame`` with every reverse-keyed item of ``inst`` reversed on its own scale.

    x' = min_s + max_s − x with the lowest and highest substantive code of the item's scale s
    (:func:`analysis.scoring.reverse_items`), so that instruments mixing e.g. 4- and 5-point
    scales are reversed correctly; other columns are unchanged.
    """
    by_scale: dict[str, list[str]] = {}
    for item in inst.items:
        if item.reverse:
            by_scale.setdefault(item.scale, []).append(item.code)
    out = frame.copy()
    for scale_id, codes in by_scale.items():
        sc = inst.scales[scale_id]
        out[codes] = reverse_items(out, codes, sc.min, sc.max)[codes]
    return out


def _funded(cohort: pd.Series | None) -> pd.Series:
    if cohort is None:
        return pd.Series(dtype="boolean")
    c = cohort.astype("string").str.lower()
    return ~(c.isna() | c.str.contains("nicht") | c.str.contains("not") | c.str.strip().eq(""))


def _doc(title_de: str, title_en: str, de: str, en: str, cols: Mapping[str, tuple[str, str]] | None = None) -> TableDoc:
    return TableDoc(title_de, title_en, de, en, dict(cols or {}))


def run(dataset: Any, config: AnalysisConfig | None = None) -> Results:
    """Run every analysis on a clean dataset.

    Parameters
    ----------
    dataset : surveys.dataset.Dataset
        The clean dataset (respondents, long responses, municipalities, instrument).
    config : AnalysisConfig, optional
        Settings (minimum cell size, CI level, thresholds, seed, language).

    Returns
    -------
    Results
        Tables (already suppressed for small groups) with documentation, config and metadata.

    Examples
    --------
    >>> from surveys.dataset import Dataset                       # doctest: +SKIP
    >>> res = run(Dataset.load("data/processed/example"))         # doctest: +SKIP
    >>> res["hypothesen"][["hypothesis", "sentence_de"]]           # doctest: +SKIP
    """
    cfg = config or AnalysisConfig()
    inst = dataset.instrument
    g = cfg.group
    alpha_level = 1 - cfg.ci
    all_waves, scales = score_dataset(dataset, cfg)
    constructs = list(scales)
    waves_present = (
        sorted(all_waves["wave"].dropna().astype(str).unique(), key=_natural_key) if "wave" in all_waves else []
    )
    wave = cfg.wave if cfg.wave is not None else (waves_present[-1] if waves_present else None)
    data = all_waves if wave is None else all_waves[all_waves["wave"].astype(str) == str(wave)].reset_index(drop=True)
    scale0 = next(iter(inst.scales.values()))
    keyed = _reverse_keyed(data, inst)
    names = dataset.municipalities[["ags", "name"]].astype({"ags": str}) if len(dataset.municipalities) else None
    clabel = {c.id: c.label(cfg.lang) for c in inst.constructs}
    tables: dict[str, pd.DataFrame] = {}
    docs: dict[str, TableDoc] = {}
    models: dict[str, Any] = {}
    notes: list[str] = []

    def add(name: str, table: pd.DataFrame, doc: TableDoc) -> None:
        tables[name] = table.reset_index(drop=True)
        docs[name] = doc

    # ---------------------------------------------------------------- data quality
    counts = all_waves.groupby([g, "wave", "role"], observed=True).size().rename("n").reset_index()
    if names is not None:
        counts = _with_names(counts, names, g)[[g, "name", "wave", "role", "n"]]
    add(
        "antworten_kommune_rolle",
        suppress_small_groups(counts, "n", cfg.min_n, keep=[g, "name", "wave", "role"]),
        _doc(
            "Antworten je Kommune und Rolle",
            "Responses per municipality and role",
            "Anzahl Befragte je Kommune und Rolle (kleine Gruppen unterdrückt).",
            "Respondents per municipality and role (small groups suppressed).",
            {g: ("AGS", "Amtlicher Gemeindeschlüssel"), "name": ("Kommune", ""), "wave": ("Welle", ""), "role": ("Rolle", ""),
             "n": ("n", "Anzahl Befragte"), "suppressed": ("unterdrückt", "weniger als min_n Befragte")},
        ),
    )
    add("fehlende_werte", _missingness(dataset, inst), _doc(
        "Fehlende Antworten je Item", "Missing answers per item",
        "Anteil fehlender Antworten je Item nach Grund (weiß nicht, keine Angabe, nicht beantwortet, ungültig).",
        "Share of missing answers per item by reason.",
        {"item": ("Item", ""), "label": ("Wortlaut", ""), "construct": ("Konstrukt", ""),
         "n": ("n Befragte", ""), "dont_know": ("weiß nicht", "Anteil"), "no_answer": ("keine Angabe", "Anteil"),
         "not_shown": ("leer", "Anteil leerer Zellen"), "invalid": ("ungültig", "Anteil ungültiger Werte"),
         "missing": ("fehlend gesamt", "Anteil")},
    ))
    sl = _straightlining(all_waves, inst.item_codes, g)
    add("straightlining", suppress_small_groups(sl, "n", cfg.min_n, keep=[g]), _doc(
        "Gleichförmiges Antworten je Kommune", "Straight-lining per municipality",
        "Anteil der Befragten, die bei mindestens 10 beantworteten Items überall dieselbe Antwort gaben.",
        "Share of respondents giving the same answer to every item (at least 10 answered).",
        {"n": ("n", ""), "n_straight": ("n gleichförmig", ""), "share": ("Anteil", "")},
    ))

    # ---------------------------------------------------------------- reliability
    rel_rows = []
    item_tabs = []
    for c, items in scales.items():
        a = cronbach_alpha(keyed, items, ci=cfg.ci)
        try:
            o = mcdonald_omega(keyed, items, seed=cfg.seed)
            om_t, om_o, conv = o.omega_total, o.omega_obs, o.converged
        except Exception as exc:  # a degenerate one-factor fit must not stop the run
            om_t = om_o = np.nan
            conv = False
            notes.append(f"Omega für {c} nicht schätzbar: {exc}")
        rel_rows.append({
            "construct": c, "label": clabel[c], "k": a.k, "n": a.n, "raw_alpha": a.raw_alpha,
            "std_alpha": a.std_alpha, "ci_lo": a.ci_low, "ci_hi": a.ci_high, "ase": a.ase, "g6": a.g6,
            "average_r": a.average_r, "omega_total": om_t, "omega_obs": om_o, "omega_converged": conv,
            "mean": a.mean, "sd": a.sd,
        })
        it = item_analysis(keyed, items)
        it.insert(1, "construct", c)
        it.insert(2, "label", [inst.item(i).label(cfg.lang) for i in it["item"]])
        it.insert(3, "reverse", [inst.item(i).reverse for i in it["item"]])
        item_tabs.append(it)
    rel = pd.DataFrame(rel_rows)
    add("reliabilitaet", suppress_small_groups(rel, "n", cfg.min_n, keep=["construct", "label", "k"]), _doc(
        "Reliabilität je Skala", "Reliability per scale",
        "Cronbachs Alpha (roh und standardisiert, paarweise Kovarianzen wie R psych), Feldt-KI, "
        "Duhachek-Iacobucci-Standardfehler, Guttmans Lambda-6, mittlere Inter-Item-Korrelation und "
        "McDonalds Omega aus einem Ein-Faktor-ML-Modell (omega_total: modellimpliziert; omega_obs: beobachtete Varianz).",
        "Cronbach's alpha (raw, standardised; pairwise covariances as R psych), Feldt CI, ASE, lambda-6, "
        "average r, McDonald's omega from a one-factor ML model.",
        {"construct": ("Konstrukt", ""), "label": ("Skala", ""), "k": ("Items", ""), "n": ("n", ""),
         "raw_alpha": ("Alpha", "Cronbachs Alpha (roh)"), "std_alpha": ("Alpha std.", "standardisiert"),
         "ci_lo": ("KI unten", "Feldt"), "ci_hi": ("KI oben", "Feldt"), "ase": ("SE Alpha", "Duhachek-Iacobucci"),
         "g6": ("Lambda-6", "Guttman"), "average_r": ("mittl. r", ""), "omega_total": ("Omega", "modellimpliziert"),
         "omega_obs": ("Omega (beob.)", "beobachtete Varianz"), "mean": ("Mittelwert", "Skalenmittel"), "sd": ("SD", "")},
    ))
    items_tab = pd.concat(item_tabs, ignore_index=True)
    freq_cols = [c for c in items_tab.columns if c.startswith("freq_")]
    add("itemanalyse", suppress_small_groups(items_tab, "n", cfg.min_n, keep=["item", "construct", "label", "reverse"]), _doc(
        "Itemanalyse", "Item analysis",
        "Je Item: n, Trennschärfe (r.drop, korrigierte Item-Skala-Korrelation nach psych), Alpha ohne das Item, "
        "Mittelwert, SD (umgepolte Items bereits umgepolt) und Antworthäufigkeiten.",
        "Per item: n, corrected item-total correlation, alpha if deleted, mean, SD, response frequencies.",
        {"r.drop": ("Trennschärfe", "korrigierte Item-Skala-Korrelation"),
         "alpha_if_deleted": ("Alpha ohne Item", ""), **{f: (f.replace("freq_", "Anteil "), "") for f in freq_cols}},
    ))
    rel_role = reliability_by_group(keyed, scales, group="role", min_n=cfg.min_n, ci=cfg.ci)
    add("reliabilitaet_rolle", suppress_small_groups(rel_role, "n", cfg.min_n, keep=["role", "scale"]), _doc(
        "Reliabilität je Rolle", "Reliability per role", "Cronbachs Alpha je Skala und Rolle.", "Alpha per scale and role."))
    rel_muni = reliability_by_group(keyed, scales, group=g, min_n=cfg.min_n, ci=cfg.ci)
    add("reliabilitaet_kommune", suppress_small_groups(rel_muni, "n", cfg.min_n, keep=[g, "scale"]), _doc(
        "Reliabilität je Kommune", "Reliability per municipality", "Cronbachs Alpha je Skala und Kommune.",
        "Alpha per scale and municipality."))

    # ---------------------------------------------------------------- aggregation
    agg = icc(data, constructs, g, ci=cfg.ci)
    rwg_tabs = []
    for c, items in scales.items():
        sc = inst.scales[inst.construct(c).scale]
        r = rwg(keyed, items, g, n_options=sc.n_categories, scale_min=sc.min, min_n=cfg.min_n)
        r.insert(1, "construct", c)
        rwg_tabs.append(r)
    rwg_all = pd.concat(rwg_tabs, ignore_index=True)
    ok = ~rwg_all["below_min_n"].astype(bool)
    agree = rwg_all[ok].groupby("construct").agg(
        rwg_j_median=("rwg_j", "median"),
        rwg_star_j_median=("rwg_star_j", "median"),
        share_rwg_70=("rwg_j", lambda s: float((s >= 0.70).mean())),
        ad_median=("ad_mean_j", "median"),
    )
    agg = agg.merge(agree, left_on="dv", right_index=True, how="left")
    agg.insert(1, "label", agg["dv"].map(clabel))
    add("aggregation", agg, _doc(
        "Aggregierbarkeit auf Kommunenebene", "Aggregation to municipalities",
        "ICC(1) und ICC(2) aus der einfaktoriellen ANOVA (Bliese 2000), REML-ICC des Nullmodells, Designeffekt, "
        "sowie Median von rwg(j) und r*wg(j) und Anteil der Kommunen mit rwg(j) ≥ 0,70.",
        "ICC(1), ICC(2) (one-way ANOVA, Bliese 2000), REML ICC, design effect, median rwg(j), r*wg(j).",
        {"dv": ("Konstrukt", ""), "label": ("Skala", ""), "icc1": ("ICC(1)", "Anteil Varianz zwischen Kommunen"),
         "icc2": ("ICC(2)", "Reliabilität der Kommunenmittel"), "icc_reml": ("ICC (REML)", "Nullmodell"),
         "design_effect": ("Designeffekt", "1 + (n̄ − 1)·ICC(1)"), "rwg_j_median": ("rwg(j) Median", ""),
         "rwg_star_j_median": ("r*wg(j) Median", "Lindell et al. 1999"), "share_rwg_70": ("Anteil rwg(j) ≥ 0,70", "")},
    ))
    rwg_all = _with_names(rwg_all, names, g)
    add("uebereinstimmung", suppress_small_groups(rwg_all, "n", cfg.min_n, keep=[g, "construct", "name"]), _doc(
        "Übereinstimmung innerhalb der Kommunen", "Within-municipality agreement",
        "rwg(j) (James, Demaree & Wolf 1984), r*wg(j) (Lindell et al. 1999), awg, AD je Kommune und Skala; "
        "Nullverteilung gleichverteilt.",
        "rwg(j), r*wg(j), awg, AD per municipality and scale (uniform null).",
    ))

    # ---------------------------------------------------------------- municipalities
    label_cols = tuple(c for c in ("name", "district", "size_class", "cohort") if c in data.columns)
    summ = municipality_summary(data, constructs, group=g, ci=cfg.ci, min_n=cfg.min_n, label_cols=label_cols)
    add("kommunen", summ, _doc(
        "Kommunen: Mittelwerte je Skala", "Municipalities: means per scale",
        "n, Mittelwert, SD, Konfidenzintervall und empirisch-bayesianisch geschrumpfter Mittelwert "
        "(λ_j·Mittelwert + (1 − λ_j)·Gesamtmittel) je Kommune und Skala.",
        "n, mean, SD, CI and empirical-Bayes shrunken mean per municipality and scale.",
    ))
    over = data.groupby(g, observed=True).size().rename("n").reset_index()
    if len(dataset.municipalities):
        m = dataset.municipalities.copy()
        m["ags"] = m["ags"].astype(str)
        keep_cols = [c for c in ("ags", "name", "district", "size_class", "cohort", "population",
                                 "council_resolution", "mayor_involved", "named_contact") if c in m.columns]
        over = m[keep_cols].merge(over, left_on="ags", right_on=g, how="left")
        over["n"] = over["n"].fillna(0).astype(int)
        if g != "ags":
            over = over.drop(columns=[g])
        over = over.rename(columns={"ags": g}) if g != "ags" else over
    over = suppress_small_groups(over, "n", cfg.min_n, keep=[c for c in over.columns if c != "n"])
    add("kommunen_uebersicht", over, _doc(
        "Übersicht der Kommunen", "Overview of municipalities",
        "Stammdaten und Anzahl Befragte je Kommune; Kommunen unter der Mindestzahl werden in keiner Auswertung gezeigt.",
        "Master data and respondents per municipality."))

    funnels = []
    curves = []
    for c in constructs:
        fr = funnel_limits(
            data, c, group=g, kind="mean", levels=(0.95, 0.998), overdispersion=cfg.funnel_overdispersion,
            min_n=cfg.min_n, label_cols=("name",) if "name" in data.columns else (),
        )
        u = fr.units.copy()
        u.insert(1, "construct", c)
        u["target"] = fr.target
        u["phi"] = fr.phi
        u["tau2"] = fr.tau2
        funnels.append(u)
        ns = u["n"].dropna()
        grid = np.unique(np.linspace(max(cfg.min_n, float(ns.min()) * 0.8 if len(ns) else cfg.min_n),
                                     float(ns.max()) * 1.1 if len(ns) else 50, 60).round(1))
        cv = fr.curve(grid)
        cv.insert(0, "construct", c)
        curves.append(cv)
    add("funnel", pd.concat(funnels, ignore_index=True), _doc(
        "Trichterdiagramm: Kommunen im Vergleich zum Landesmittel", "Funnel plot data",
        "Je Kommune und Skala: Mittelwert, n, Kontrollgrenzen (95 % und 99,8 %) um das Landesmittel, "
        f"Überdispersion nach Spiegelhalter (2005): {cfg.funnel_overdispersion or 'keine'}.",
        "Per municipality and scale: mean, n, control limits around the state mean.",
    ))
    add("funnel_grenzen", pd.concat(curves, ignore_index=True), _doc(
        "Trichterdiagramm: Grenzen", "Funnel limits", "Kontrollgrenzen über einem Raster von n (für Grafiken).",
        "Control limits over a grid of n."))

    omni = []
    post = []
    for by in ("size_class", "district", "cohort"):
        if by not in data.columns or data[by].nunique(dropna=True) < 2:
            continue
        for c in constructs:
            cr = compare_groups(data, c, by, kind="scale", p_adjust=cfg.p_adjust, min_n=cfg.min_n,
                                max_posthoc_groups=cfg.max_posthoc_groups)
            o = cr.omnibus.copy()
            o.insert(0, "by", by)
            omni.append(o)
            if len(cr.posthoc):
                p = cr.posthoc.copy()
                p.insert(0, "by", by)
                p.insert(1, "dv", c)
                post.append(p)
    if omni:
        add("vergleich_omnibus", pd.concat(omni, ignore_index=True), _doc(
            "Vergleich nach Größenklasse, Landkreis, Kohorte", "Comparisons by size class, district, cohort",
            "Welch-ANOVA je Skala mit η², ω², ε² (Effektstärken) auf Befragtenebene.",
            "Welch ANOVA per scale with effect sizes."))
    if post:
        postt = pd.concat(post, ignore_index=True)
        add("vergleich_posthoc", suppress_small_groups(postt, ["n_A", "n_B"], cfg.min_n, keep=["by", "dv", "A", "B"]), _doc(
            "Paarvergleiche (Games-Howell)", "Pairwise comparisons (Games-Howell)",
            "Games-Howell-Tests (zweiseitig) mit Hedges g und KI; p roh und adjustiert (Holm, Benjamini-Hochberg).",
            "Games-Howell (two-sided), Hedges g, raw and adjusted p."))

    likert = likert_frequencies(data, inst.item_codes, codes=scale0.valid_codes, min_n=cfg.min_n)
    add("likert", likert, _doc("Antwortverteilungen je Item", "Response distributions per item",
                               "Anzahl und Anteil je Antwortkategorie; Anteile bezogen auf gültige Antworten.",
                               "Counts and shares per answer category."))
    likert_role = likert_frequencies(data, inst.item_codes, group="role", codes=scale0.valid_codes, min_n=cfg.min_n)
    add("likert_rolle", likert_role, _doc("Antwortverteilungen je Item und Rolle", "Response distributions by role",
                                          "Wie 'likert', getrennt nach Rolle.", "As 'likert', by role."))

    # ---------------------------------------------------------------- commitment vs structures
    have_core = all(c in data.columns for c in (MUNICIPAL, CIVIL, STRUCTURE))
    if have_core:
        try:
            typ = commitment_typology(data, MUNICIPAL, CIVIL, group=g, threshold=cfg.typology_threshold,
                                      scale_range=(scale0.min, scale0.max), min_n=cfg.min_n, alpha=alpha_level)
            smean = summ[summ["variable"] == STRUCTURE][[g, "mean", "ci_low", "ci_high"]].rename(
                columns={"mean": "mean_structure", "ci_low": "ci_lo_structure", "ci_high": "ci_hi_structure"})
            typ = typ.merge(smean, on=g, how="left")
            typ = _with_names(typ, names, g)
            add("typologie", typ, _doc(
                "Typologie: Formen des Engagements (Befragung)", "Typology of commitment (survey)",
                "Je Kommune: mittleres kommunales und zivilgesellschaftliches Engagement mit KI und Typ "
                "(Partnerschaft, kommunal getragen, zivilgesellschaftlich getragen, im Aufbau; Schwelle = Skalenmitte).",
                "Per municipality: mean municipal and civil commitment with CI and type."))
            data = data.merge(typ[[g, "type"]].rename(columns={"type": "commitment_type"}), on=g, how="left")
            struct_types = []
            tests = []
            stc = structure_by_type(data, STRUCTURE, "commitment_type", group=g, min_n=cfg.min_n, alpha=alpha_level)
            struct_types.append(stc.descriptives.assign(typology="Befragung"))
            tests.append(_type_tests(stc, "Befragung"))
            if len(dataset.municipalities):
                ft = fact_typology(dataset.municipalities.astype({"ags": str}), group="ags")
                add("typologie_fakten", ft, _doc(
                    "Typologie: Verankerung (Kommunendaten)", "Typology from municipality facts",
                    "Je Kommune: Ratsbeschluss, Bürgermeister/in, Ansprechperson, Ressourcen und daraus der Typ der Verankerung.",
                    "Per municipality: facts and the resulting type."))
                ftype = ft[["ags", "type"]].rename(columns={"ags": g, "type": "fact_type"})
                data = data.merge(ftype, on=g, how="left")
                stf = structure_by_type(data, STRUCTURE, "fact_type", group=g, min_n=cfg.min_n, alpha=alpha_level)
                struct_types.append(stf.descriptives.assign(typology="Kommunendaten"))
                tests.append(_type_tests(stf, "Kommunendaten"))
                for fact in ("council_resolution", "mayor_involved", "named_contact", "rooms"):
                    if fact in data.columns and data[fact].notna().any():
                        col = f"{fact}_label"
                        data[col] = data[fact].map(lambda v: None if pd.isna(v) else ("ja" if bool(v) else "nein"))
                        stx = structure_by_type(data, STRUCTURE, col, group=g, min_n=cfg.min_n, order=["ja", "nein"],
                                                alpha=alpha_level)
                        struct_types.append(stx.descriptives.assign(typology=fact))
                        tests.append(_type_tests(stx, fact))
            add("struktur_nach_typ", pd.concat(struct_types, ignore_index=True), _doc(
                "Stärke der Strukturen nach Form des Engagements", "Structure strength by kind of commitment",
                "Mittel der Kommunenmittelwerte der Skala 'Stärke der Unterstützungsstrukturen' je Typ mit KI.",
                "Mean of municipality means of structure strength per type, with CI."))
            add("struktur_typ_tests", pd.concat(tests, ignore_index=True), _doc(
                "Tests: Strukturen nach Typ", "Tests: structures by type",
                "Welch-ANOVA auf Kommunenebene mit η² sowie Games-Howell-Paarvergleiche.",
                "Welch ANOVA at municipality level with eta², Games-Howell pairs."))

            # Predictors centred at their grand means, so that each main effect is the effect at the
            # average level of the other commitment (Aiken & West 1991) and the interaction is H5.
            model_data = data.dropna(subset=[MUNICIPAL, CIVIL, STRUCTURE, "role"]).copy()
            # small-cell rule for model terms: roles with fewer than min_n respondents are pooled
            # into "andere", so that no coefficient describes a group below the minimum size
            role_n = model_data["role"].value_counts()
            small_roles = role_n[role_n < cfg.min_n].index
            if len(small_roles):
                model_data["role"] = model_data["role"].where(~model_data["role"].isin(small_roles), "andere")
                notes.append(f"Rollen mit weniger als {cfg.min_n} Befragten im Modell als 'andere' zusammengefasst: "
                             + ", ".join(map(str, small_roles)))
            centres = {c: float(model_data[c].mean()) for c in (MUNICIPAL, CIVIL)}
            for c, m in centres.items():
                model_data[c] = model_data[c] - m
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                mres = fit_multilevel(model_data, f"{STRUCTURE} ~ {MUNICIPAL} * {CIVIL} + C(role)", group=g, alpha=alpha_level)
            models["structures"] = mres
            fixed = mres.fixed.copy()
            add("modell", fixed, _doc(
                "Mehrebenenmodell: Stärke der Strukturen", "Multilevel model: structure strength",
                "Random-Intercept-Modell struktur ~ kommunal × zivil + Rolle + (1 | Kommune), REML; kommunal und zivil "
                "am Gesamtmittel zentriert (Haupteffekte gelten beim mittleren Engagement der jeweils anderen Seite); "
                "feste Effekte mit KI.",
                "Random-intercept model structures ~ municipal * civil + role + (1 | municipality), REML."))
            add("modell_kennwerte", mres.stats(), _doc(
                "Mehrebenenmodell: Kennwerte", "Multilevel model: statistics",
                "τ² (zwischen Kommunen), σ² (innerhalb), ICC, Nakagawa-R² marginal und konditional, Schätzverfahren.",
                "tau², sigma², ICC, Nakagawa R², estimation method."))
            for w in getattr(mres, "warnings", ()) or ():
                notes.append(str(w))
            hyp = evaluate_hypotheses(data, {"group": g, "smallest_effect": cfg.smallest_effect, "alpha": alpha_level,
                                             "min_n": cfg.min_n})
            add("hypothesen", hyp, _doc(
                "Die Aussagen des Bausteins als Hypothesen", "The Baustein's statements as hypotheses",
                "Je Aussage: Operationalisierung, Verfahren, Schätzer mit KI, p, Effektstärke, Urteil und ein Satz in Alltagssprache.",
                "Per statement: operationalisation, method, estimate with CI, p, effect size, verdict and a plain sentence."))
        except AnalysisError as exc:
            notes.append(f"Engagement-Analysen unvollständig / commitment analyses incomplete: {exc}")

    # ---------------------------------------------------------------- perspectives and waves
    if MUNICIPAL in data.columns and "role" in data.columns:
        try:
            pg = perspective_gaps(data, MUNICIPAL, role="role", group=g, reference=list(MUNICIPAL_ROLES),
                                  comparison=list(CIVIL_ROLES), min_n=cfg.min_n, alpha=alpha_level)
            pg = _with_names(pg, names, g)
            add("perspektiven", pg, _doc(
                "Perspektiven: Verwaltung/Politik vs. Zivilgesellschaft", "Perspective gaps",
                "Je Kommune: wie viel höher Verwaltung, Bürgermeister/in und Gemeinderat das kommunale Engagement "
                "einschätzen als Vereine und Engagierte (Welch-KI); letzte Zeile: gepoolter Unterschied.",
                "Per municipality: municipal-side minus civil-side rating of municipal commitment (Welch CI)."))
        except AnalysisError as exc:
            notes.append(f"Perspektiven nicht schätzbar / perspective gaps not estimable: {exc}")
    if len(waves_present) >= 2:
        _sections_waves(all_waves, constructs, g, cfg, alpha_level, add, notes)

    meta = {
        "instrument": f"{inst.name} {inst.version}",
        "dataset": dataset.manifest.get("dataset_name", ""),
        "dataset_fingerprint": dataset.manifest.get("fingerprint", ""),
        "wave": wave,
        "waves": waves_present,
        "n_respondents_all_waves": len(all_waves),
        "n_respondents": len(data),
        "n_municipalities": int(data[g].nunique()),
        "tool_version": tool_version(),
        "warnings": notes,
    }
    return Results(tables=tables, docs=docs, config=cfg, meta=meta, models=models)


def _sections_waves(all_waves: pd.DataFrame, constructs: list[str], g: str, cfg: AnalysisConfig, alpha_level: float,
                    add: Any, notes: list[str]) -> None:
    """Change between waves and difference-in-differences (each skipped with a note if not estimable)."""
    try:
        wc = wave_change(all_waves, constructs, group=g, wave="wave", min_n=cfg.min_n, alpha=alpha_level)
        add("wellen", wc, _doc(
            "Veränderung zwischen den Wellen", "Change between waves",
            "Je Kommune und Skala: Mittelwert je Welle und Differenz mit Welch-KI (unabhängige Stichproben).",
            "Per municipality and scale: change between waves with Welch CI."))
    except AnalysisError as exc:
        notes.append(f"Wellenvergleich nicht möglich / wave change not estimable: {exc}")
    if all_waves["funded"].nunique(dropna=True) != 2:
        return
    try:
        did = did_estimate(all_waves, constructs, group=g, wave="wave", treated="funded", min_n=cfg.min_n,
                           alpha=alpha_level)
        add("did", did, _doc(
            "Differenz-von-Differenzen: gefördert vs. nicht gefördert", "Difference-in-differences",
            "Veränderung geförderter minus nicht geförderter Kommunen, OLS auf Kommunenmittelwerten mit "
            "cluster-robusten Standardfehlern.",
            "Change of funded minus not funded municipalities, cluster-robust."))
    except AnalysisError as exc:
        notes.append(f"Differenz-von-Differenzen nicht möglich / DiD not estimable: {exc}")


def _with_names(table: pd.DataFrame, names: pd.DataFrame | None, group: str) -> pd.DataFrame:
    """``table`` with the municipality name beside its ``group`` column (unchanged without names)."""
    if names is None or group not in table.columns:
        return table
    return table.merge(names, left_on=group, right_on="ags", how="left", suffixes=("", "_m"))


def _natural_key(label: str) -> tuple:
    """Sort key that orders "W9" before "W10" and "2025" before "2027"."""
    import re

    return tuple(int(t) if t.isdigit() else t for t in re.split(r"(\d+)", label))


def _type_tests(tc: Any, typology: str) -> pd.DataFrame:
    parts = []
    if getattr(tc, "omnibus", None) is not None and len(tc.omnibus):
        parts.append(tc.omnibus.assign(typology=typology, kind="omnibus"))
    if getattr(tc, "posthoc", None) is not None and len(tc.posthoc):
        # post-hoc tests compare municipality means: its n columns count municipalities
        ph = tc.posthoc.rename(columns={"n_A": "n_municipalities_A", "n_B": "n_municipalities_B"})
        parts.append(ph.assign(typology=typology, kind="posthoc"))
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame({"typology": [typology]})


def _missingness(dataset: Any, inst: Any) -> pd.DataFrame:
    resp = dataset.responses
    n = len(dataset.respondents)
    reasons = ["dont_know", "no_answer", "not_shown", "invalid"]
    if len(resp):
        tab = resp.groupby(["item", "missing_reason"], observed=True, dropna=True).size().unstack(fill_value=0)
    else:
        tab = pd.DataFrame(index=inst.item_codes)
    tab = tab.reindex(index=inst.item_codes, columns=reasons, fill_value=0).fillna(0)
    out = (tab / max(n, 1)).reset_index().rename(columns={"index": "item"})
    out.columns = ["item", *reasons]
    out["missing"] = out[reasons].sum(axis=1)
    out.insert(1, "construct", [inst.item(i).construct for i in out["item"]])
    out.insert(2, "label", [inst.item(i).label_de for i in out["item"]])
    out.insert(3, "n", n)
    return out


def _straightlining(data: pd.DataFrame, items: list[str], group: str) -> pd.DataFrame:
    x = data[items].to_numpy(dtype=float)
    answered = (~np.isnan(x)).sum(axis=1)
    mn = np.nanmin(np.where(np.isnan(x), np.inf, x), axis=1)
    mx = np.nanmax(np.where(np.isnan(x), -np.inf, x), axis=1)
    straight = (answered >= 10) & (mn == mx)
    df = pd.DataFrame({group: data[group].to_numpy(), "straight": straight})
    out = df.groupby(group, observed=True).agg(n=("straight", "size"), n_straight=("straight", "sum")).reset_index()
    out["share"] = out["n_straight"] / out["n"]
    return out


def tool_version() -> str:
    """The installed version of baustein-eval ("dev" when run from a source tree)."""
    try:
        from importlib.metadata import version

        return version("baustein-eval")
    except Exception:  # pragma: no cover - not installed
        return "dev"
