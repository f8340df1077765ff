"""Our questionnaire rebuilt by hand in other tools' export styles ("bring your own export").

Each fixture is what a programme sends when it rebuilt the instrument in its own survey tool: its
own question codes, edited wording (hand-written paraphrases below, German and English), other
answer labels, 4-, 5- and 7-point scales, a reversed numbering, multi-select questions, own role
labels, the tool's meta columns. Files are written at test time (:func:`build_all`) with their
ground truth: which column is which item or field, which answer is which instrument code.

The ground truth of a label is the instrument code its *meaning* has: the export's own code on
its scale (agreement order), rescaled onto 1-5 by POMP (rounded half up), as the import does.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from surveys.importing.label_sets import rescale_table
from surveys.instrument import Instrument

# ------------------------------------------------------------------ hand-edited item wordings
#: Light edits: "Gemeinde" for "Kommune", other word order, gendered forms, small rewordings.
EDIT_A = {
    "KOM01": "Unsere Gemeinde unterstützt das Thema 'Sorgende Gemeinschaft' sichtbar und trägt es politisch mit",
    "KOM02": "Bürgermeister*in, Verwaltung und Gemeinderat werden von der Gemeinde aktiv in den Prozess eingebunden",
    "KOM03": "Es gibt benannte Ansprechpersonen und klare Zuständigkeiten in der Gemeinde",
    "KOM04": "Die Gemeinde ermöglicht und begleitet Beteiligungsprozesse",
    "KOM05": "Räume, Kommunikation und organisatorische Hilfe werden von der Gemeinde bereitgestellt",
    "KOM06": "Bürgerschaftliches Engagement wird von der Gemeinde wertgeschätzt und öffentlich anerkannt",
    "KOM07": "Die Gemeinde fördert die Zusammenarbeit mit Zivilgesellschaft und professionellen Diensten aktiv",
    "ZIV01": "Die Zivilgesellschaft hat die Gemeinde früh als wichtige Partnerin angesprochen und eingebunden",
    "ZIV02": "Engagierte äußern nicht nur Anliegen, sondern sind auch bereit, Mitverantwortung zu übernehmen",
    "ZIV03": "Aus der Bürgerschaft kommen konkrete Ideen und realistische erste Schritte",
    "ZIV04": "Initiativen, Vereine und engagierte Menschen vor Ort werden zusammengebracht",
    "ZIV05": "Erfolge, Bedarfe und Anliegen werden sichtbar gemacht und gut kommuniziert",
    "ZIV06": "Die Zivilgesellschaft hat verlässliche Ansprechpartner/innen benannt",
    "WIR01": "Die Unterstützung der Gemeinde gibt dem Prozess Verbindlichkeit und Rückhalt",
    "WIR02": "Durch die Unterstützung der Gemeinde wird das Thema sichtbarer und politisch bedeutsamer",
    "WIR03": "Die Unterstützung der Gemeinde erleichtert die Zusammenarbeit der Akteure",
    "WIR04": "Die Unterstützung der Gemeinde stärkt Vertrauen und Motivation der Engagierten",
    "WIR05": "Die Unterstützung der Gemeinde hilft, Ressourcen, Räume und Netzwerke zu erschließen",
    "WIR06": "Die Unterstützung der Gemeinde fördert den Aufbau nachhaltiger Strukturen vor Ort",
    "WIR07": "Durch die Unterstützung der Gemeinde haben sich Fördermöglichkeiten eröffnet",
    "PAR01": "Gemeinde und Zivilgesellschaft übernehmen gemeinsam Verantwortung",
    "PAR02": "Am Anfang unseres Prozesses stand ein klares Bekenntnis der Gemeinde",
    "PAR03": "Unser Bürgermeister / unsere Bürgermeisterin ist eine Schlüsselperson für Dynamik und Vertrauen",
    "PAR04": "Durch die Beteiligung sind Identifikation und Mitverantwortung entstanden",
    "PAR05": "Eine starke Zivilgesellschaft macht unsere Gemeinde stärker",
    "ERG01": "Es sind tragfähige Unterstützungsstrukturen entstanden",
    "ERG02": "Es sind neue Formen des Engagements entstanden",
    "ERG03": "Durch die Zusammenarbeit hat sich die Lebensqualität vor Ort verbessert",
    "ERG04": "Die Gemeinde ist eine wichtige Mitgestalterin der Sorgenden Gemeinschaft",
    "ERG05": "Die Verantwortung für Unterstützungsangebote liegt weitgehend allein bei der Gemeinde",
}
#: Heavy edits: "Stadt", shortened noun phrases under a block stem, other verbs.
EDIT_B = {
    "KOM01": "Die Stadt steht sichtbar und politisch hinter der Sorgenden Gemeinschaft",
    "KOM02": "Bürgermeisterin, Verwaltung und Stadtrat sind aktiv eingebunden",
    "KOM03": "Ansprechpersonen und Zuständigkeiten sind in der Stadt klar geregelt",
    "KOM04": "Beteiligungsprozesse werden von der Stadt ermöglicht und begleitet",
    "KOM05": "Die Stadt stellt Räume bereit und unterstützt Kommunikation und Organisation",
    "KOM06": "Engagement wird von der Stadt wertgeschätzt und öffentlich anerkannt",
    "KOM07": "Die Stadt fördert aktiv die Zusammenarbeit zwischen Zivilgesellschaft und professionellen Diensten",
    "ZIV01": "Vereine und Initiativen haben die Stadt frühzeitig als Partnerin angesprochen",
    "ZIV02": "Engagierte zeigen eigene Bereitschaft zur Mitverantwortung statt nur Anliegen vorzubringen",
    "ZIV03": "Aus der Zivilgesellschaft kommen konkrete Ideen und realistische Schritte",
    "ZIV04": "Bestehende Initiativen und Vereine werden zusammengebracht",
    "ZIV05": "Erfolge und Bedarfe werden gut kommuniziert und sichtbar gemacht",
    "ZIV06": "Die Zivilgesellschaft hat feste, verlässliche Ansprechpersonen",
    "WIR01": "Verbindlichkeit und Rückhalt für den Prozess durch die Stadt",
    "WIR02": "Mehr Sichtbarkeit und politische Bedeutung des Themas",
    "WIR03": "Leichtere Zusammenarbeit der verschiedenen Akteure",
    "WIR04": "Mehr Vertrauen und Motivation bei den Engagierten",
    "WIR05": "Erschließung von Ressourcen, Räumen und Netzwerken",
    "WIR06": "Aufbau nachhaltiger Strukturen vor Ort",
    "WIR07": "Neue Fördermöglichkeiten (z. B. Allianz für Beteiligung)",
    "PAR01": "Stadt und Zivilgesellschaft tragen gemeinsam Verantwortung",
    "PAR02": "Der Prozess begann mit einem klaren Bekenntnis der Stadt",
    "PAR03": "Die Bürgermeisterin ist Schlüsselperson für Dynamik und Vertrauen",
    "PAR04": "Beteiligung hat Identifikation und Mitverantwortung geschaffen",
    "PAR05": "Die starke Zivilgesellschaft stärkt auch die Stadt",
    "ERG01": "Tragfähige Unterstützungsstrukturen sind entstanden",
    "ERG02": "Neue Formen von Engagement sind entstanden",
    "ERG03": "Die Lebensqualität vor Ort ist durch die Zusammenarbeit besser geworden",
    "ERG04": "Die Stadt gestaltet die Sorgende Gemeinschaft wichtig mit",
    "ERG05": "Die Verantwortung für Unterstützungsangebote trägt fast nur die Stadt",
}
#: English rewording (Microsoft Forms in English).
EDIT_EN = {
    "KOM01": "Our municipality visibly supports the caring community agenda and backs it politically",
    "KOM02": "The mayor, administration and council are actively involved in the process",
    "KOM03": "Contact persons have been named and responsibilities are clear",
    "KOM04": "The municipality enables and accompanies participation processes",
    "KOM05": "The municipality provides rooms, communication and organisational support",
    "KOM06": "Civic engagement is valued and publicly recognised by the municipality",
    "KOM07": "The municipality actively promotes cooperation with civil society and professional services",
    "ZIV01": "Civil society approached the municipality early as an important partner",
    "ZIV02": "Engaged people not only raise concerns but are willing to share responsibility",
    "ZIV03": "Civil society comes up with concrete ideas and realistic first steps",
    "ZIV04": "Existing initiatives, associations and engaged individuals are brought together",
    "ZIV05": "Successes, needs and concerns are made visible and communicated well",
    "ZIV06": "Civil society has named reliable contact persons",
    "WIR01": "Support from the municipality gives the process commitment and backing",
    "WIR02": "Support from the municipality makes the topic more visible and politically important",
    "WIR03": "Support from the municipality makes cooperation between actors easier",
    "WIR04": "Support from the municipality strengthens trust and motivation among volunteers",
    "WIR05": "Support from the municipality helps to open up resources, rooms and networks",
    "WIR06": "Support from the municipality helps build sustainable local structures",
    "WIR07": "Support from the municipality has opened up funding opportunities",
    "PAR01": "The municipality and civil society share responsibility",
    "PAR02": "A clear commitment by the municipality stood at the start",
    "PAR03": "Our mayor is a key person for momentum and trust",
    "PAR04": "Participation has created identification and shared responsibility",
    "PAR05": "A strong civil society makes our municipality stronger",
    "ERG01": "Sustainable support structures have emerged",
    "ERG02": "New forms of engagement have emerged",
    "ERG03": "Local quality of life has improved through the cooperation",
    "ERG04": "The municipality is an important co-creator of our caring community",
    "ERG05": "Responsibility for support services lies largely with the municipality alone",
}
STEMS_DE = {
    "kommunal": "Wie sehr trifft das auf Ihre Gemeinde zu?",
    "zivil": "Wie sehr trifft das auf die Vereine, Initiativen und Engagierten zu?",
    "wirkung": "Was bewirkt die Unterstützung durch die Gemeinde?",
    "partnerschaft": "Wie sehen Sie den Prozess?",
    "struktur": "Was ist bisher entstanden?",
}

# ------------------------------------------------------------------ answer scales (lowest first)
AGREE4 = ["Stimme gar nicht zu", "Stimme eher nicht zu", "Stimme eher zu", "Stimme voll zu"]
AGREE5_EDITED = ["stimme überhaupt nicht zu", "stimme eher nicht zu", "unentschieden", "stimme eher zu",
                 "stimme völlig zu"]
AGREE7 = ["stimme überhaupt nicht zu", "stimme nicht zu", "stimme eher nicht zu", "weder noch", "stimme eher zu",
          "stimme zu", "stimme voll und ganz zu"]
AGREE7_EN = ["Strongly disagree", "Disagree", "Somewhat disagree", "Neither agree nor disagree", "Somewhat agree",
             "Agree", "Strongly agree"]
#: Kobo choice labels numbered the other way round: 1 = full agreement.
TRIFFT5_REVERSED = ["5 = trifft gar nicht zu", "4 = trifft eher nicht zu", "3 = teils/teils", "2 = trifft eher zu",
                    "1 = trifft voll zu"]
NUMERIC7 = [str(k) for k in range(1, 8)]

MULTI_OPTIONS = ["Nachbarschaftshilfe", "Besuchsdienst", "Mittagstisch", "Fahrdienst", "Beratung"]


@dataclass
class Fixture:
    """One rebuilt export with its ground truth."""

    name: str
    tool: str
    path: Path
    items: dict[str, str]  # header -> item code
    fields: dict[str, str]  # header -> respondent field (or "ignore" for meta columns)
    labels: dict[str, int | str]  # answer text -> instrument code (after POMP) or missing reason
    roles: dict[str, str] = field(default_factory=dict)  # role answer -> role code
    multi: list[str] = field(default_factory=list)  # multi-select headers
    expected: dict[tuple[int, str], int | None] = field(default_factory=dict)  # (source row, item) -> code
    first_row: int = 2  # Excel/CSV row of the first respondent
    rows: int = 0


def _truth(scale: list[str], missing: dict[str, str], codes: list[int] | None = None) -> dict[str, int | str]:
    """Answer text -> instrument code: position on the scale (agreement order) rescaled by POMP."""
    k = len(scale)
    table = rescale_table((1, k), (1, 5))
    out: dict[str, int | str] = {lab: table[i + 1] for i, lab in enumerate(scale)}
    out.update(missing)
    return out


_ROLES_DE = {"Bürgermeisterin": "buergermeister", "Mitarbeiterin der Gemeindeverwaltung": "verwaltung",
             "Mitglied im Gemeinderat": "gemeinderat", "Vorstand eines Vereins": "verein",
             "Ehrenamtlich engagiert": "engagiert", "Ambulanter Pflegedienst": "dienst"}
_ROLES_EN = {"Mayor": "buergermeister", "Municipal administration": "verwaltung", "Town council": "gemeinderat",
             "Association / initiative": "verein", "Volunteer": "engagiert", "Care service": "dienst"}


def _answers(rng: np.random.Generator, n: int, items: list[str], scale: list[str], missing: list[str]
             ) -> dict[str, list[str]]:
    """Answers per item: a level on the scale per respondent, some missing labels, some blanks."""
    base = rng.integers(0, len(scale), size=n)
    out: dict[str, list[str]] = {}
    for code in items:
        lv = np.clip(base + rng.integers(-1, 2, size=n), 0, len(scale) - 1)
        col = [scale[int(x)] for x in lv]
        for i in range(n):
            u = rng.random()
            if u < 0.05 and missing:
                col[i] = missing[int(rng.integers(0, len(missing)))]
            elif u < 0.08:
                col[i] = ""
        out[code] = col
    return out


def _multi(rng: np.random.Generator, n: int) -> list[str]:
    out = []
    for _ in range(n):
        k = int(rng.integers(1, 4))
        picks = sorted(rng.choice(len(MULTI_OPTIONS), size=k, replace=False).tolist())
        out.append(", ".join(MULTI_OPTIONS[p] for p in picks))
    return out


def _write_csv(path: Path, header: list[str], rows: list[list[str]], sep: str = ",", bom: bool = False) -> None:
    with open(path, "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as fh:
        w = csv.writer(fh, delimiter=sep, quoting=csv.QUOTE_ALL if bom else csv.QUOTE_MINIMAL, lineterminator="\r\n")
        w.writerow(header)
        w.writerows(rows)


def _write_xlsx(path: Path, sheet: str, header: list[str], rows: list[list[object]]) -> None:
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False})
    ws = wb.add_worksheet(sheet)
    ws.write_row(0, 0, header)
    for i, r in enumerate(rows, start=1):
        for j, v in enumerate(r):
            if v is None or v == "":
                continue
            if isinstance(v, (int, float)):
                ws.write_number(i, j, v)
            else:
                ws.write_string(i, j, str(v))
    wb.close()


def _expected(fx: Fixture, answers: dict[str, list[str]], header_of: dict[str, str]) -> None:
    """(source row, item) -> the instrument code the import must give (None: missing)."""
    for code, col in answers.items():
        for i, v in enumerate(col):
            c = fx.labels.get(v) if v else None
            fx.expected[(fx.first_row + i, code)] = c if isinstance(c, int) else None


def build_all(folder: Path, inst: Instrument, n: int = 30) -> list[Fixture]:
    """Write every fixture into ``folder`` and return them with their ground truth."""
    folder.mkdir(parents=True, exist_ok=True)
    return [f(folder, inst, n) for f in (limesurvey_csv, limesurvey_xlsx_codes, sosci_label_row, kobo_labels,
                                         forms_csv, msforms_english)]


def limesurvey_csv(folder: Path, inst: Instrument, n: int) -> Fixture:
    """LimeSurvey CSV, German full-text headings ``Frage [Teilfrage]``, 4-point agree, N/A, German
    meta columns, own role labels, a multi-select question as ``[Option]`` ticks."""
    rng = np.random.default_rng(101)
    codes = inst.item_codes
    heads = {c: f"{STEMS_DE[inst.item(c).construct]} [{EDIT_A[c]}]" for c in codes}
    fx = Fixture("limesurvey_csv", "LimeSurvey CSV", folder / "limesurvey_gemeinde.csv", items={heads[c]: c for c in codes},
                 fields={"Antwort ID": "respondent_id", "Datum Abgeschickt": "submitted_at", "Letzte Seite": "ignore",
                         "Start-Sprache": "ignore", "Zufallsgeneratorstartwert": "ignore",
                         "Gemeindeschlüssel (AGS):": "ags", "Ihre Funktion in der Gemeinde:": "role"},
                 labels=_truth(AGREE4, {"N/A": "no_answer"}), roles=dict(_ROLES_DE))
    ans = _answers(rng, n, codes, AGREE4, ["N/A"])
    ticks = [f"Welche Angebote gibt es bei Ihnen? [{o}]" for o in MULTI_OPTIONS]
    fx.multi = ticks
    header = ["Antwort ID", "Datum Abgeschickt", "Letzte Seite", "Start-Sprache", "Zufallsgeneratorstartwert",
              "Gemeindeschlüssel (AGS):", "Ihre Funktion in der Gemeinde:", *[heads[c] for c in codes], *ticks]
    roles = list(_ROLES_DE)
    rows = []
    for i in range(n):
        rows.append([str(i + 1), "2025-03-0%d 10:00:00" % (1 + i % 9), "3", "de", str(int(rng.integers(1e8, 1e9))),
                     "08111000", roles[i % len(roles)], *[ans[c][i] for c in codes],
                     *[("Ja" if rng.random() < 0.4 else "Nein") for _ in ticks]])
    _write_csv(fx.path, header, rows, bom=True)
    fx.rows = n
    _expected(fx, ans, heads)
    return fx


def limesurvey_xlsx_codes(folder: Path, inst: Instrument, n: int) -> Fixture:
    """LimeSurvey xlsx, headings ``G02Q05[SQ001]. Frage [Teilfrage]`` with own codes, heavy edits,
    7-point agree, timing columns; a partial instrument (no partnership block); no AGS column."""
    rng = np.random.default_rng(102)
    codes = [c for c in inst.item_codes if inst.item(c).construct != "partnerschaft"]
    heads = {}
    for q, construct in enumerate(["kommunal", "zivil", "wirkung", "struktur"], start=1):
        for k, it in enumerate(inst.items_of(construct), start=1):
            heads[it.code] = f"G0{q}Q0{q}[SQ00{k}]. {STEMS_DE[construct]} [{EDIT_B[it.code]}]"
    fx = Fixture("limesurvey_xlsx_codes", "LimeSurvey xlsx (codes + text)", folder / "results-survey123456.xlsx",
                 items={heads[c]: c for c in codes},
                 fields={"id": "respondent_id", "submitdate": "submitted_at", "lastpage": "ignore",
                         "startlanguage": "ignore", "seed": "ignore", "startdate": "ignore", "datestamp": "ignore",
                         "interviewtime": "ignore", "groupTime1": "ignore"},
                 labels=_truth(AGREE7, {"N/A": "no_answer", "weiß nicht": "dont_know"}))
    ans = _answers(rng, n, codes, AGREE7, ["N/A", "weiß nicht"])
    header = ["id", "submitdate", "lastpage", "startlanguage", "seed", "startdate", "datestamp",
              *[heads[c] for c in codes], "interviewtime", "groupTime1"]
    rows = [[i + 1, "2025-04-01 09:30:00", 4, "de", int(rng.integers(1e8, 1e9)), "2025-04-01 09:10:00",
             "2025-04-01 09:30:00", *[ans[c][i] for c in codes], round(float(rng.random() * 900), 2),
             round(float(rng.random() * 300), 2)] for i in range(n)]
    _write_xlsx(fx.path, "results", header, rows)
    fx.rows = n
    _expected(fx, ans, heads)
    return fx


def sosci_label_row(folder: Path, inst: Instrument, n: int) -> Fixture:
    """SoSci Survey xlsx with the variable-label row, own question ids, numeric 1-7 with -1/-9."""
    rng = np.random.default_rng(103)
    codes = inst.item_codes
    ids = {"kommunal": "GE01", "zivil": "ZG02", "wirkung": "UN03", "partnerschaft": "PA04", "struktur": "EN05"}
    heads, labels = {}, {}
    for construct, qid in ids.items():
        for k, it in enumerate(inst.items_of(construct), start=1):
            heads[it.code] = f"{qid}_{k:02d}"
            labels[it.code] = f"{STEMS_DE[construct]}: {EDIT_A[it.code]}"
    meta = ["CASE", "SERIAL", "REF", "QUESTNNR", "MODE", "STARTED", "LASTDATA", "FINISHED", "TIME_SUM"]
    truth = _truth(NUMERIC7, {"-1": "dont_know", "-9": "no_answer"})
    fx = Fixture("sosci_label_row", "SoSci Survey xlsx (label row)", folder / "data_sorgende_gemeinde.xlsx",
                 items={heads[c]: c for c in codes},
                 fields={"CASE": "respondent_id", "LASTDATA": "submitted_at", "SERIAL": "ignore", "REF": "ignore",
                         "QUESTNNR": "ignore", "MODE": "ignore", "STARTED": "ignore", "FINISHED": "ignore",
                         "TIME_SUM": "ignore"},
                 labels=truth, first_row=3)
    ans = _answers(rng, n, codes, NUMERIC7, ["-1", "-9"])
    from surveys.formats import SOSCI_VARIABLE_LABELS

    header = [*meta, *[heads[c] for c in codes]]
    label_row: list[object] = [SOSCI_VARIABLE_LABELS[m] for m in meta] + [labels[c] for c in codes]
    rows: list[list[object]] = [label_row]
    for i in range(n):
        rows.append([i + 1, "", "", "base", "interview", "2025-05-02 14:00:00", "2025-05-02 14:12:00", 1, 600,
                     *[(int(ans[c][i]) if ans[c][i] else "") for c in codes]])
    _write_xlsx(fx.path, "Daten", header, rows)
    fx.rows = n
    _expected(fx, ans, heads)
    return fx


def kobo_labels(folder: Path, inst: Instrument, n: int) -> Fixture:
    """KoboToolbox xlsx exported with labels: group label / question label headers, choice labels
    numbered the other way round (1 = trifft voll zu), a multi-select question, role labels."""
    rng = np.random.default_rng(104)
    codes = inst.item_codes
    groups = {"kommunal": "Gemeinde", "zivil": "Zivilgesellschaft", "wirkung": "Wirkung", "partnerschaft": "Prozess",
              "struktur": "Ergebnisse"}
    heads = {c: f"{groups[inst.item(c).construct]}/{EDIT_A[c]}" for c in codes}
    fx = Fixture("kobo_labels", "KoboToolbox xlsx (labels, reversed numbering)", folder / "kobo_sorgende_gemeinde.xlsx",
                 items={heads[c]: c for c in codes},
                 fields={"start": "ignore", "end": "submitted_at", "_id": "ignore", "_uuid": "respondent_id",
                         "_submission_time": "ignore", "_validation_status": "ignore", "_index": "ignore",
                         "Rolle/Welche Rolle haben Sie?": "role"},
                 labels={**_truth(list(TRIFFT5_REVERSED), {}), "weiß nicht": "dont_know"}, roles=dict(_ROLES_DE))
    multi = "Angebote/Welche Angebote gibt es?"
    fx.multi = [multi]
    ans = _answers(rng, n, codes, TRIFFT5_REVERSED, ["weiß nicht"])
    header = ["start", "end", "Rolle/Welche Rolle haben Sie?", *[heads[c] for c in codes], multi, "_id", "_uuid",
              "_submission_time", "_validation_status", "_index"]
    roles = list(_ROLES_DE)
    ms = _multi(rng, n)
    rows = [["2025-03-01T10:00:00.000+01:00", "2025-03-01T10:20:00.000+01:00", roles[i % len(roles)],
             *[ans[c][i] for c in codes], ms[i], 1000 + i, f"uuid-{i:04d}", "2025-03-01T09:20:00", "", i + 1]
            for i in range(n)]
    _write_xlsx(fx.path, "Sorgende Gemeinde", header, rows)
    fx.rows = n
    _expected(fx, ans, heads)
    return fx


def forms_csv(folder: Path, inst: Instrument, n: int) -> Fixture:
    """Google Forms CSV (German): ``Zeitstempel``, grid ``Frage [Zeile]`` with heavy edits, an
    edited 5-point label set with "weiß nicht", a multi-select "A, B", the AGS question."""
    rng = np.random.default_rng(105)
    codes = inst.item_codes
    heads = {c: f"{STEMS_DE[inst.item(c).construct]} [{EDIT_B[c]}]" for c in codes}
    fx = Fixture("forms_csv", "Google Forms CSV", folder / "Sorgende Stadt (Antworten).csv",
                 items={heads[c]: c for c in codes},
                 fields={"Zeitstempel": "submitted_at", "Gemeindeschlüssel (AGS) Ihrer Stadt": "ags"},
                 labels=_truth(AGREE5_EDITED, {"weiß nicht": "dont_know", "keine Angabe": "no_answer"}))
    multi = "Welche Angebote gibt es in Ihrer Stadt?"
    fx.multi = [multi]
    ans = _answers(rng, n, codes, AGREE5_EDITED, ["weiß nicht", "keine Angabe"])
    ms = _multi(rng, n)
    header = ["Zeitstempel", "Gemeindeschlüssel (AGS) Ihrer Stadt", *[heads[c] for c in codes], multi]
    rows = [[f"0{1 + i % 9}.03.2025 1{i % 10}:00:00", "09162000", *[ans[c][i] for c in codes], ms[i]] for i in range(n)]
    _write_csv(fx.path, header, rows)
    fx.rows = n
    _expected(fx, ans, heads)
    return fx


def msforms_english(folder: Path, inst: Instrument, n: int) -> Fixture:
    """Microsoft Forms xlsx in English: ID, Startzeit, Fertigstellungszeit, E-Mail, Name, English
    question texts, 7-point English agree, English role labels."""
    rng = np.random.default_rng(106)
    codes = inst.item_codes
    heads = {c: EDIT_EN[c] for c in codes}
    fx = Fixture("msforms_english", "Microsoft Forms xlsx (English)", folder / "Caring community(1-30).xlsx",
                 items={heads[c]: c for c in codes},
                 fields={"ID": "respondent_id", "Startzeit": "ignore", "Fertigstellungszeit": "submitted_at",
                         "E-Mail": "ignore", "Name": "ignore", "What is your role?": "role"},
                 labels=_truth(AGREE7_EN, {"Don't know": "dont_know"}), roles=dict(_ROLES_EN))
    ans = _answers(rng, n, codes, AGREE7_EN, ["Don't know"])
    header = ["ID", "Startzeit", "Fertigstellungszeit", "E-Mail", "Name", "What is your role?", *[heads[c] for c in codes]]
    roles = list(_ROLES_EN)
    rows = [[i + 1, "3/1/2025 10:00:00", "3/1/2025 10:15:00", "anonymous", "", roles[i % len(roles)],
             *[ans[c][i] for c in codes]] for i in range(n)]
    _write_xlsx(fx.path, "Form1", header, rows)
    fx.rows = n
    _expected(fx, ans, heads)
    return fx


# ------------------------------------------------------------------ scoring a suggestion
def score(fx: Fixture, sugg) -> dict[str, object]:
    """How much of the unedited suggestion is right: items, label sets, meta/field columns."""
    by_header = {c.header: c for c in sugg.columns}
    items_right = sum(1 for h, code in fx.items.items() if by_header[h].target == code)
    fields_right = sum(1 for h, f in fx.fields.items() if by_header[h].target == f)
    multi_right = sum(1 for h in fx.multi if by_header[h].target == "ignore" and by_header[h].multi)
    # a label set is right when every answer of the group of each item column gets its true code
    mapping = sugg.mapping()
    tables = mapping.answer_tables(sugg.instrument)
    groups = {g.name: g for g in mapping.groups}
    sets: dict[str, bool] = {}
    for h, code in fx.items.items():
        g = next((g for g in groups.values() if h in g.columns), None)
        if g is None:
            sets[h] = False
            continue
        table = {**{str(k): v for k, v in (tables.get(code) or {}).items()}}
        ok = True
        for label, truth in fx.labels.items():
            got = table.get(label, g.values.get(label))
            if label not in g.values and label not in table:
                continue  # not in the data (nobody chose it)
            ok &= got == truth
        sets[h] = ok
    n_groups = len({next((g.name for g in groups.values() if h in g.columns), h) for h in fx.items})
    right_groups = len({next((g.name for g in groups.values() if h in g.columns), h) for h, ok in sets.items() if ok})
    return {
        "fixture": fx.name,
        "tool": fx.tool,
        "items": len(fx.items),
        "items_right": items_right,
        "items_share": items_right / len(fx.items),
        "label_sets": n_groups,
        "label_sets_right": right_groups,
        "label_sets_share": sum(sets.values()) / len(sets),
        "fields": len(fx.fields),
        "fields_right": fields_right,
        "multi": len(fx.multi),
        "multi_right": multi_right,
        "unsure": sum(1 for h in fx.items if not by_header[h].sure),
        "roles": len(fx.roles),
        "roles_right": sum(1 for r in sugg.roles if fx.roles.get(r.text) == r.role),
    }


def benchmark_table(scores: list[dict[str, object]]) -> str:
    """The benchmark as a Markdown table (``docs/mapping-benchmark.md`` holds the same table)."""
    lines = [
        "| fixture | tool | items right | label sets right | meta/field columns right | multi-select recognised "
        "| roles right | items marked unsicher |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for s in scores:
        roles = f"{s['roles_right']}/{s['roles']}" if s["roles"] else "–"
        multi = f"{s['multi_right']}/{s['multi']}" if s["multi"] else "–"
        lines.append(
            f"| {s['fixture']} | {s['tool']} | {s['items_right']}/{s['items']} ({100 * s['items_share']:.0f} %) "
            f"| {s['label_sets_right']}/{s['label_sets']} ({100 * s['label_sets_share']:.0f} %) "
            f"| {s['fields_right']}/{s['fields']} | {multi} | {roles} | {s['unsure']} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":  # python -m tests.data.byo.fixtures: print the benchmark table
    import tempfile

    from surveys.importing import suggest_mapping

    inst = Instrument.load("sensibilisierung")
    with tempfile.TemporaryDirectory() as tmp:
        fixtures = build_all(Path(tmp), inst)
        print(benchmark_table([score(fx, suggest_mapping(fx.path, inst)) for fx in fixtures]))
