"""Evaluation: newsfuse beside baselines and shared-task peers on reference summaries.

- rouge.py: ROUGE-1/2/SU4 on rouge-score's tokens, with ROUGE-1.5.5's pooling and NIST's jackknife
- datasets.py: cluster JSONL with its meta file (query, update docsets), peers' outputs
- harness.py: running the systems, citation validity, redundancy, timing, the table and JSON
- official.py: the official DUC/MultiLing score files, and reproducing them
"""
from .datasets import read_evaluation_clusters, read_peers
from .harness import SYSTEMS, Evaluation, EvaluationOptions, evaluate, render_table, to_json
from .rouge import Rouge

__all__ = [
    "SYSTEMS", "Evaluation", "EvaluationOptions", "Rouge", "evaluate", "read_evaluation_clusters",
    "read_peers", "render_table", "to_json",
]
