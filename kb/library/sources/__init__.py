"""Source health: how each source's fetches went and what they missed.

health: due sources and `kb status`; gaps: days an arXiv listing is incomplete; repair: `kb fetch --repair`
refetching them; alerts: a watched paper's new version back in the inbox; muting: the feeds.yaml mute rules.
"""
