"""The offline demo: fictional councils' Local Offer sites served from loopback.
"""
