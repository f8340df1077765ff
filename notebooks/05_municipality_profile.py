# %% tags=["parameters"]
# Bericht-Notebook von baustein-eval: Überschriften und Texte kommen in der Berichtssprache aus
# `reporting.figures.section`, alle Logik aus den Paketen `analysis` und `surveys`.
dataset = None
lang = "de"
min_n = 5
interactive = True
ags = None  # Amtlicher Gemeindeschlüssel; None: erste Kommune mit genügend Antworten

# %%
from reporting import figures as F
from reporting.notebook import md, setup, show

ctx = setup(dataset, lang=lang, min_n=min_n)
md(F.section("05_title", lang))
ags = F.pick_municipality(ctx.results, ags)

# %%
md(F.profile_header(ctx, ags))

# %%
md(F.section("05_profile", lang))
show(F.profile_vs_state(ctx.results, ctx.instrument, ags, lang))

# %%
md(F.section("05_perspectives", lang))
show(F.perspective_gaps(ctx.results, ctx.instrument, ags, lang))

# %%
md(F.section("05_waves", lang))
show(F.wave_change(ctx.results, ctx.instrument, ags, lang))

# %%
md(F.section("05_funnels", lang))
show(F.funnel_positions(ctx.results, ctx.instrument, ags, lang))

# %%
if interactive:
    F.profile_widget(ctx, show)
