# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown] tags=["notebook-only"]
# # Profil einer Kommune
#
# Eine Kommune im Vergleich zum Land: das Wichtigste in wenigen Sätzen, Ansatzpunkte aus dem
# Baustein, das Profil über alle Skalen, die Sicht der Rollen, die Veränderung seit der letzten Welle
# und die Lage in den Trichterdiagrammen. **So geht es:** *Run → Run All Cells* und dann oben im
# Auswahlfeld die Kommune wählen – das ganze Profil wechselt mit. In der nächsten Zelle können Sie mit
# `ags = "08111000"` eine Kommune vorwählen.
#
# *English:* one municipality against the state. Run all cells and choose the municipality in the
# drop-down; the whole profile follows the choice.

# %% tags=["parameters"]
dataset = None  # Ordner des Datensatzes (None: Beispieldaten bzw. $BAUSTEIN_DATASET)
lang = "de"  # Sprache der Texte: "de" oder "en"
min_n = 5  # kleinste Gruppe, die gezeigt wird (Datenschutz)
wave = None  # Welle der Querschnittsauswertungen (None: die letzte)
wave_order = None  # Reihenfolge der Wellen, z. B. ["2025", "2027"] (None: automatisch)
interactive = True  # Auswahlfelder zeigen (nur in JupyterLab)
ags = None  # Amtlicher Gemeindeschlüssel; None: erste Kommune mit genügend Antworten

# %%
from reporting import figures as F
from reporting.notebook import md, setup
from reporting.profile import profile_widget, show_profile

ctx = setup(dataset, lang=lang, min_n=min_n, wave=wave, wave_order=wave_order)
md(F.section("05_title", lang))
ags = F.pick_municipality(ctx.results, ags)

# %%
if interactive:
    selector = profile_widget(ctx, ags)
else:
    show_profile(ctx, ags)
