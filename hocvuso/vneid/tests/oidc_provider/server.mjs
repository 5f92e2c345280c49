// A real OpenID Connect provider for the tests (the npm package oidc-provider), configured with VNeID's claim
// names. Started by hocvuso/vneid/tests/provider.py with one argument: a JSON file naming the port, the clients,
// the signing keys (private JWKs; the first signs) and the accounts with their claims.
//
// Its sign-in page is ours, not oidc-provider's development pages: a form with the account ("login") and the
// authentication level ("acr") the test wants asserted. It signs in and grants the requested scopes at once.
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import Provider from "oidc-provider";

const config = JSON.parse(readFileSync(process.argv[2], "utf8"));
const accounts = config.accounts;

const provider = new Provider(config.issuer, {
  clients: config.clients,
  jwks: config.jwks,
  scopes: ["openid", "vneid", "offline_access"],
  claims: { acr: null, auth_time: null, sid: null, iss: null, openid: ["sub"], vneid: ["HoVaTen", "SoDinhDanh", "NgayThangNamSinh"] },
  acrValues: ["1", "2"],
  features: {
    devInteractions: { enabled: false },
    rpInitiatedLogout: {
      enabled: true,
      // the default page loads a web font from the internet; this one loads nothing
      async logoutSource(ctx, form) {
        ctx.body = `<!doctype html><html lang="vi"><head><title>Đăng xuất VNeID</title></head><body>
<h1>Đăng xuất khỏi VNeID (thử nghiệm)?</h1>${form}
<button type="submit" form="op.logoutForm" value="yes" name="logout">Đăng xuất VNeID</button></body></html>`;
      },
    },
  },
  pkce: { required: () => true },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  cookies: { keys: ["hocvuso-test-cookie-key-not-secret"] },
  ttl: { IdToken: 600, AccessToken: 600, AuthorizationCode: 60, Interaction: 600, Session: 3600, Grant: 3600 },
  async findAccount(ctx, id) {
    if (!Object.hasOwn(accounts, id)) return undefined;
    return { accountId: id, async claims() { return { sub: id, ...accounts[id] }; } };
  },
});
provider.proxy = false;

function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}

async function readForm(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
}

async function interaction(req, res) {
  const details = await provider.interactionDetails(req, res);
  if (req.method === "GET") {
    res.setHeader("Content-Type", "text/html; charset=utf-8");
    res.end(`<!doctype html><html lang="vi"><head><title>VNeID (thử nghiệm)</title></head><body>
<h1>VNeID (thử nghiệm)</h1><p>Ứng dụng: ${escapeHtml(details.params.client_id)}</p>
<form method="post" action="/interaction/${escapeHtml(details.uid)}">
<label>Tài khoản <input name="login" autocomplete="off"></label>
<label>Mức <select name="acr"><option value="1">1</option><option value="2">2</option></select></label>
<button type="submit">Đăng nhập</button></form></body></html>`);
    return;
  }
  const form = await readForm(req);
  const accountId = form.get("login") || "";
  if (!Object.hasOwn(accounts, accountId)) {
    res.statusCode = 400;
    res.end("unknown account");
    return;
  }
  const grant = new provider.Grant({ accountId, clientId: details.params.client_id });
  grant.addOIDCScope(String(details.params.scope));
  const grantId = await grant.save();
  await provider.interactionFinished(
    req,
    res,
    { login: { accountId, acr: form.get("acr") || "1" }, consent: { grantId } },
    { mergeWithLastSubmission: false },
  );
}

const callback = provider.callback();
const server = createServer((req, res) => {
  if (req.url.startsWith("/interaction/")) {
    interaction(req, res).catch((error) => {
      res.statusCode = 500;
      res.end(String(error));
    });
    return;
  }
  callback(req, res);
});
server.listen(config.port, "127.0.0.1", () => process.stdout.write(`listening ${config.port}\n`));
process.on("SIGTERM", () => server.close(() => process.exit(0)));
