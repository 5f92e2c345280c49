"""Sign-in with VNeID — or any standard OpenID Connect provider — and what it tells the registry.

`provider.py` speaks OpenID Connect (discovery, PKCE, the ID token's checks, the JWKS and its rotation, logout);
`claims.py` reads the configured claims into an `AssertedIdentity`; `services.py` decides whose account it is
(the one already linked, the registry resident with the same national ID, or a new learner with a registration
for the commune to confirm) and records the identity fact; every sign-in ends in `accounts.services.complete_sign_in`.
"""
