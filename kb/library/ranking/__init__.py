"""The for-you ranking, learned from the person's own triage (see docs/ranking.md).

ranker: the model's use (fit, score, explain, rank); features, labels, model, explain: its parts;
cache: the workspace's trained ranker kept in .kb/ranking.json; inbox: ``rank_inbox``, the library's entry point.
"""
