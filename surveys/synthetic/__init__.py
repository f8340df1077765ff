"""Synthetic survey data with known ground truth, for training, tests and benchmarks.

* :mod:`surveys.synthetic.model` -- the ordinal latent-variable model of a funding programme
  (municipalities, respondents, waves; effects of council resolution, mayor, roles, programme)
  and its ground truth in observed units (``docs/generator.md``);
* :mod:`surveys.synthetic.writers` -- the programme written in the export style of each survey
  tool (our template, KoboToolbox, LimeSurvey, SoSci Survey, Google Forms), byte-identical per seed.
"""

from __future__ import annotations

from core.errors import GeneratorError

from .model import (
    GENERATOR_VERSION,
    ConstructModel,
    ModelParams,
    SimulatedProgramme,
    default_params,
    population_truth,
    simulate,
    with_params,
)
from .writers import FORMATS, GeneratedFiles, write_format

__all__ = [
    "FORMATS",
    "GENERATOR_VERSION",
    "ConstructModel",
    "GeneratedFiles",
    "GeneratorError",
    "ModelParams",
    "SimulatedProgramme",
    "default_params",
    "population_truth",
    "simulate",
    "with_params",
    "write_format",
]
