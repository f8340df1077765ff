# %% [markdown]
# # Kommunen im Vergleich
#
# Trichterdiagramme (Funnel-Plots) statt Ranglisten: Jede Kommune wird mit dem Landesmittel
# verglichen; die Grenzen zeigen, wie weit eine Kommune allein durch Zufall abweichen kann.

# %% tags=["parameters"]
dataset = None
lang = "de"
min_n = 5
interactive = True

# %%
from analysis import figures as F
from surveys.notebook import setup, show, show_table

ctx = setup(dataset, lang=lang, min_n=min_n)

# %% [markdown]
# ## Trichterdiagramme je Skala

# %%
for c in ctx.instrument.constructs:
    show(F.funnel(ctx.results, ctx.instrument, c.id, lang))

# %% [markdown]
# ## Übereinstimmung innerhalb der Kommunen und Aggregierbarkeit
# ICC(1): Anteil der Unterschiede, der auf die Kommune zurückgeht; ICC(2): Reliabilität der
# Kommunenmittelwerte; r*wg(j): Übereinstimmung der Befragten innerhalb einer Kommune.

# %%
show(F.agreement_panel(ctx.results, ctx.instrument, lang))
show_table(*F.aggregation_table(ctx.results, ctx.instrument, lang), n_col=None, lang=lang)

# %% [markdown]
# ## Vergleich nach Landkreis, Gemeindegrößenklasse und Förderkohorte

# %%
for by in ("size_class", "district", "cohort"):
    show(F.comparison(ctx.results, ctx.instrument, by, lang))
show_table(*F.comparison_tests(ctx.results, ctx.instrument, lang), n_col=None, lang=lang)

# %% [markdown]
# ## Profile der Kommunen (kleine Vielfache)

# %%
show(F.profiles_small_multiples(ctx.results, ctx.instrument, lang))

# %%
if interactive:
    F.municipality_widget(ctx, show)
