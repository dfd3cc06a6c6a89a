// A real OpenID Provider for the tests: the certified `oidc-provider` package, configured from
// environment variables by tests/accounts/oidc_server.py. Its development login page accepts
// any login (the login becomes the account id) and any password; the people below give a
// login its claims. Prints "ready <issuer>" once it listens on 127.0.0.1.
//
//   OIDC_PORT            port on 127.0.0.1
//   OIDC_ISSUER          the issuer it announces (may differ from where it listens: a test of
//                        a wrong issuer)
//   OIDC_CLIENTS         JSON list of clients ({client_id, client_secret, redirect_uris})
//   OIDC_PEOPLE          JSON object: login -> claims ({email, email_verified, name, groups, ...})
//   OIDC_CLOCK_OFFSET    seconds added to the provider's clock (negative: tokens already expired)
import { createServer } from 'node:http';
import Provider from 'oidc-provider';

const offsetMs = Number(process.env.OIDC_CLOCK_OFFSET || 0) * 1000;
if (offsetMs) {
  const realNow = Date.now;
  Date.now = () => realNow() + offsetMs;
}

const port = Number(process.env.OIDC_PORT);
const issuer = process.env.OIDC_ISSUER || `http://127.0.0.1:${port}`;
const clients = JSON.parse(process.env.OIDC_CLIENTS || '[]');
const people = JSON.parse(process.env.OIDC_PEOPLE || '{}');

const provider = new Provider(issuer, {
  clients: clients.map((client) => ({
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
    ...client,
  })),
  async findAccount(ctx, id) {
    const person = people[id] || { email: id.includes('@') ? id : `${id}@example.org`, email_verified: true };
    return {
      accountId: id,
      async claims() {
        return { sub: id, ...person };
      },
    };
  },
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name'],
    groups: ['groups', 'department'],
  },
  scopes: ['openid', 'email', 'profile', 'groups'],
  pkce: { required: () => true },
  cookies: { keys: ['forum-test-provider-cookie-key'] },
  // ID tokens live 10 minutes; the browser-side cookies an hour, so a clock set back by
  // OIDC_CLOCK_OFFSET=-900 still lets the person sign in but hands out expired ID tokens.
  ttl: { IdToken: 600, AccessToken: 600, AuthorizationCode: 60, Interaction: 3600, Session: 3600, Grant: 3600 },
});
// The development login and consent pages are served over plain http on 127.0.0.1.
provider.proxy = false;

createServer(provider.callback()).listen(port, '127.0.0.1', () => {
  process.stdout.write(`ready ${issuer}\n`);
});
