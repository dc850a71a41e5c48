"""The engine: settings, frames, models, the teacher/student workflow, cross-fitting, results (no IPython)."""
