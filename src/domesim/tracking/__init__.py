"""Multi-target tracking on batches: Stone Soup's roles (predictor, updater, hypothesiser, data
associator, initiator, deleter, tracker), compiled over arrays of tracks."""
