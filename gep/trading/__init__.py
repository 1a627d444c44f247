"""Valuation for ecological trading pilots: forest-coverage indicator trades (重庆 森林覆盖率指标交易),
cross-section water ecological compensation (流域横向生态保护补偿) and forest carbon.

Pure functions in :mod:`.coverage`, :mod:`.contract`, :mod:`.water` and :mod:`.carbon`; a request file
is read by :mod:`.request`, valued by :mod:`.valuation` and written like a run by :func:`.valuation.run_trade`.
"""
