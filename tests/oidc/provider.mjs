// A real OpenID Provider on loopback for Balise's OpenID Connect tests: panva's certified
// oidc-provider, with its development login and consent forms (any login is accepted and
// becomes the account id, so a test chooses who signs in by typing a login).
//
// Usage: node provider.mjs PORT REDIRECT_URI
//   PORT          0 for any free port
//   REDIRECT_URI  Balise's callback (e.g. http://127.0.0.1:8080/connexion/oidc/retour)
//
// Prints one line `listening http://127.0.0.1:PORT` on standard output once it serves,
// then serves until killed. The signing key is generated at start (nothing is stored).
//
// Clients:
// - `balise` / `balise-secret-de-test` (client_secret_basic): the one Balise is configured with;
// - `autre-application` / `autre-secret-de-test` (client_secret_post): another application of
//   the same provider, whose ID tokens Balise must refuse (wrong audience).
// Accounts: the login typed is the subject; its claims are `email` = LOGIN@exemple.gouv.qc.ca
// (verified, except for logins starting with `nonverifie`) and `name`.

import http from 'node:http';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import Provider from 'oidc-provider';

const port = Number.parseInt(process.argv[2] ?? '0', 10);
const redirectUri = process.argv[3];
if (!Number.isInteger(port) || port < 0 || !redirectUri) {
  console.error('usage: node provider.mjs PORT REDIRECT_URI');
  process.exit(2);
}

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), use: 'sig', alg: 'RS256', kid: 'essai-rsa' };

let handler = (_request, response) => {
  response.statusCode = 503;
  response.end();
};
const server = http.createServer((request, response) => handler(request, response));

server.listen(port, '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: 'balise',
        client_secret: 'balise-secret-de-test',
        redirect_uris: [redirectUri],
        response_types: ['code'],
        grant_types: ['authorization_code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
      {
        client_id: 'autre-application',
        client_secret: 'autre-secret-de-test',
        redirect_uris: ['http://127.0.0.1:9/autre/retour'],
        response_types: ['code'],
        grant_types: ['authorization_code'],
        token_endpoint_auth_method: 'client_secret_post',
      },
    ],
    jwks: { keys: [signingKey] },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    pkce: { required: () => true },
    features: { devInteractions: { enabled: true } },
    async findAccount(_context, id) {
      return {
        accountId: id,
        async claims() {
          return {
            sub: id,
            email: `${id}@exemple.gouv.qc.ca`,
            email_verified: !id.startsWith('nonverifie'),
            name: `Personne ${id}`,
          };
        },
      };
    },
  });
  // The development interactions log a warning per request; the tests do not need it.
  provider.on('server_error', (_context, error) => console.error('server_error', error));
  handler = provider.callback();
  console.log(`listening ${issuer}`);
});
