# %% [markdown]
# # Formen des Engagements und Stärke der Unterstützungsstrukturen
#
# Die Kernfrage des Bausteins: Welche Formen des Engagements – kommunal, zivilgesellschaftlich,
# gemeinsam; Ratsbeschluss, Bürgermeister/in, Ansprechperson, Ressourcen – gehen mit tragfähigen
# Unterstützungsstrukturen einher?

# %% tags=["parameters"]
dataset = None
lang = "de"
min_n = 5
interactive = True

# %%
from analysis import figures as F
from surveys.notebook import md, setup, show, show_table

ctx = setup(dataset, lang=lang, min_n=min_n)

# %% [markdown]
# ## Kommunales und zivilgesellschaftliches Engagement je Kommune

# %%
show(F.commitment_scatter(ctx.results, ctx.instrument, lang))

# %% [markdown]
# ## Stärke der Strukturen nach Form des Engagements

# %%
show(F.structure_by_type(ctx.results, ctx.instrument, lang))
show(F.structure_by_facts(ctx.results, ctx.instrument, lang))
show_table(*F.type_tests_table(ctx.results, lang), n_col=None, lang=lang)

# %% [markdown]
# ## Mehrebenenmodell
# `Strukturen ~ kommunal × zivilgesellschaftlich + Rolle + (1 | Kommune)`

# %%
show(F.model_coefficients(ctx.results, ctx.instrument, lang))
md(F.model_text(ctx.results, lang))

# %% [markdown]
# ## Die Aussagen des Bausteins als Hypothesen

# %%
md(F.hypotheses_text(ctx.results, lang))
show_table(*F.hypotheses_table(ctx.results, lang), n_col=None, lang=lang)
