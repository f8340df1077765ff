# %% [markdown]
# # Profil einer Kommune
#
# Eine Kommune im Vergleich zum Land: Profil über alle Skalen, Unterschiede zwischen den
# Perspektiven (Verwaltung, Zivilgesellschaft …), Veränderung zwischen den Wellen und die Lage
# in jedem Trichterdiagramm.

# %% tags=["parameters"]
dataset = None
lang = "de"
min_n = 5
interactive = True
ags = None  # Amtlicher Gemeindeschlüssel; None: erste Kommune mit genügend Antworten

# %%
from analysis import figures as F
from surveys.notebook import md, setup, show

ctx = setup(dataset, lang=lang, min_n=min_n)
ags = F.pick_municipality(ctx.results, ags)

# %%
md(F.profile_header(ctx, ags))

# %% [markdown]
# ## Profil im Vergleich zum Land

# %%
show(F.profile_vs_state(ctx.results, ctx.instrument, ags, lang))

# %% [markdown]
# ## Perspektiven: Wie unterschiedlich sehen die Rollen das kommunale Engagement?

# %%
show(F.perspective_gaps(ctx.results, ctx.instrument, ags, lang))

# %% [markdown]
# ## Veränderung zwischen den Wellen

# %%
show(F.wave_change(ctx.results, ctx.instrument, ags, lang))

# %% [markdown]
# ## Lage in den Trichterdiagrammen

# %%
show(F.funnel_positions(ctx.results, ctx.instrument, ags, lang))

# %%
if interactive:
    F.profile_widget(ctx, show)
