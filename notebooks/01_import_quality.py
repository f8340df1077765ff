# %% [markdown]
# # Import und Datenqualität
#
# Was wurde eingelesen, was wurde abgelehnt, wie vollständig sind die Antworten?
# Gruppen mit weniger als `min_n` Antworten werden nicht gezeigt.

# %% tags=["parameters"]
dataset = None  # Datensatz-Ordner (None: Beispieldatensatz bzw. $BAUSTEIN_DATASET)
lang = "de"
min_n = 5
interactive = True

# %%
from analysis import figures as F
from surveys.notebook import md, setup, show, show_table

ctx = setup(dataset, lang=lang, min_n=min_n)
T = F.texts(lang)

# %%
md(F.import_summary_text(ctx.dataset, lang))
show_table(F.import_files_table(ctx.dataset, lang), n_col=None, decimals=0, lang=lang)

# %% [markdown]
# ## Abgelehnte Zeilen und Zellen nach Grund

# %%
show_table(F.rejection_summary(ctx.rejections, lang), n_col=None, decimals=0, lang=lang)

# %% [markdown]
# ## Antworten je Kommune und Rolle

# %%
show(F.responses_by_role(ctx.results, lang))

# %% [markdown]
# ## Fehlende Antworten je Item
# „weiß nicht“ und „keine Angabe“ zählen als fehlend, nie als Mittelkategorie.

# %%
show(F.missingness(ctx.results, ctx.instrument, lang))

# %% [markdown]
# ## Gleichförmiges Antworten (Straight-Lining)

# %%
show(F.straightlining(ctx.results, lang))
