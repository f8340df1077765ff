# %% [markdown]
# # Instrument: Items, Antwortverteilungen und Reliabilität
#
# Antwortverteilungen als divergierende Balken (Mitte = „teils/teils“), Reliabilität der Skalen
# (Cronbachs Alpha mit Feldt-Konfidenzintervall, McDonalds Omega) und Itemanalyse.

# %% tags=["parameters"]
dataset = None
lang = "de"
min_n = 5
interactive = True
construct = None  # z. B. "struktur"; None: alle Konstrukte

# %%
from analysis import figures as F
from surveys.notebook import setup, show, show_table

ctx = setup(dataset, lang=lang, min_n=min_n)
constructs = [c.id for c in ctx.instrument.constructs] if construct is None else [construct]

# %% [markdown]
# ## Antwortverteilungen

# %%
for c in constructs:
    show(F.likert_construct(ctx.results, ctx.instrument, c, lang))

# %% [markdown]
# ## Reliabilität je Skala

# %%
show(F.reliability_forest(ctx.results, ctx.instrument, lang))
show_table(*F.reliability_table(ctx.results, ctx.instrument, lang), lang=lang)

# %% [markdown]
# ## Itemanalyse

# %%
show_table(*F.item_table(ctx.results, ctx.instrument, lang), lang=lang, max_rows=100)

# %%
if interactive:
    F.construct_widget(ctx, show)
