-- OpenID Connect sign-in: the identity provider authenticates, Balise authorises. A person
-- signs in through a provider only when their local account is linked to the provider's
-- subject (`oidc_identities`, one subject per account and issuer), either by an
-- administrator (`balise user link-oidc`) or at the first sign-in by a verified e-mail
-- address equal to the account's (`users.email`, stored lowercased, unique when present).
-- Times are microseconds since the Unix epoch, like the rest of the schema.

ALTER TABLE users ADD COLUMN email TEXT;
CREATE UNIQUE INDEX users_by_email ON users (email) WHERE email IS NOT NULL;

CREATE TABLE oidc_identities (
    issuer TEXT NOT NULL,
    subject TEXT NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users (id),
    linked_at BIGINT NOT NULL,
    PRIMARY KEY (issuer, subject),
    UNIQUE (user_id, issuer)
);
