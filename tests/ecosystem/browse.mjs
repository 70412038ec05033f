// The browsable API in a real headless Chromium (Debian's, driven by
// playwright-core; no browser download): what a person does with it.
//   node browse.mjs BASE_URL TOKEN USERNAME PASSWORD OUT_DIR
// Screenshots go to OUT_DIR.  The last line is "N passed, N failed".
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

const [base, token, username, password, outDir] = process.argv.slice(2);
const profile = mkdtempSync(join(tmpdir(), "rf-chromium-"));
const browser = await chromium.launchPersistentContext(profile, {
  executablePath: "/usr/bin/chromium",
  headless: true,
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  viewport: { width: 1100, height: 900 },
});
const page = browser.pages()[0] || await browser.newPage();
page.setDefaultTimeout(10000);
const problems = [];
// Script errors and refusals by the page's policy; a 4xx answer the page
// asked for (the refused DELETE) is logged too, and is no error of the page.
page.on("console", (m) => {
  if (m.type() === "error" && !m.text().startsWith("Failed to load resource"))
    problems.push(m.text());
});
page.on("pageerror", (e) => problems.push(e.message));
page.on("dialog", (d) => d.accept());

const h1 = () => page.textContent("h1");
const response = () => page.textContent("pre.response");
async function expect(what, got, want) {
  if (got !== want) throw new Error(`${what}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
}
async function expectIn(what, text, part) {
  if (!text.includes(part)) throw new Error(`${what}: ${JSON.stringify(part)} not in ${JSON.stringify(text.slice(0, 400))}`);
}
// A page replaced by the script (fetch + document.write): wait for its title.
async function until(check, what) {
  for (let i = 0; i < 200; i++) {
    try { if (await check()) return; } catch (e) { /* the document is being replaced */ }
    await page.waitForTimeout(50);
  }
  throw new Error("timed out waiting for " + what);
}

let productId = null;
const steps = [
  ["the root lists the products", async () => {
    await page.goto(base + "/api/");
    await expect("title", await h1(), "Api Root");
    await expectIn("root body", await response(), `"products": "${base}/api/products/"`);
  }],
  ["log in with a token", async () => {
    await page.click("#rf-login-toggle");
    await page.fill("#rf-login input[name=token]", token);
    await page.click("#rf-login button");
    await until(async () => (await page.textContent("#rf-user")) === username, "the user's name");
  }],
  ["follow the link to the products", async () => {
    await page.click(`pre.response a[href="${base}/api/products/"]`);
    await until(async () => (await h1()) === "Products List", "Products List");
    await expect("address", page.url(), base + "/api/products/");
    await expect("still logged in", await page.textContent("#rf-user"), username);
  }],
  ["submit the create form", async () => {
    await page.fill("#rf-form [name=name]", "Reading lamp");
    await page.fill("#rf-form [name=description]", "Warm light.");
    await page.fill("#rf-form [name=price]", "19.90");
    await page.check("#rf-form [name=is_top]");
    await page.click("#rf-form button[value=POST]");
    await until(async () => (await response()).startsWith("HTTP 201 Created"), "201 Created");
    const body = JSON.parse((await page.textContent("#rf-data")));
    await expect("created name", body.name, "Reading lamp");
    await expect("created price", body.price, "19.90");
    await expect("owner", typeof body.owner, "number");
    productId = body.id;
    await page.screenshot({ path: join(outDir, "browsable-created.png"), fullPage: true });
  }],
  ["see the new object in the list", async () => {
    await page.click(".crumbs a[href='/api/']");
    await until(async () => (await h1()) === "Api Root", "the root");
    await page.click(`pre.response a[href="${base}/api/products/"]`);
    await until(async () => (await h1()) === "Products List", "Products List");
    await expectIn("list", await response(), '"name": "Reading lamp"');
    await page.screenshot({ path: join(outDir, "browsable-list.png"), fullPage: true });
  }],
  ["pagination links", async () => {
    await page.goto(base + "/api/products/?page_size=1");
    await until(async () => (await page.textContent("#rf-user")) === username, "login kept");
    await page.click(".pager a[rel=next]");
    await until(async () => page.url().includes("page=2"), "page 2");
    await page.waitForSelector(".pager a[rel=prev]");
  }],
  ["change the object with the PATCH form", async () => {
    await page.goto(`${base}/api/products/${productId}/`);
    await until(async () => (await page.textContent("#rf-user")) === username, "login kept");
    await expect("title", await h1(), "Products Instance");
    await expect("prefilled", await page.inputValue("#rf-form [name=name]"), "Reading lamp");
    await page.fill("#rf-form [name=name]", "Desk lamp");
    await page.click("#rf-form button[value=PATCH]");
    await until(async () => (await response()).includes('"name": "Desk lamp"'), "the change");
    await expectIn("status", await response(), "HTTP 200 OK");
  }],
  ["DELETE asks, and is refused to a user who is not staff", async () => {
    await page.click(".tools button[value=DELETE]");
    await until(async () => (await response()).startsWith("HTTP 403 Forbidden"), "403");
  }],
  ["log out, then in with a username and password", async () => {
    await page.click("#rf-logout");
    await until(async () => (await page.$("#rf-login-toggle")) !== null, "logged out");
    await page.click("#rf-login-toggle");
    await page.fill("#rf-login input[name=username]", username);
    await page.fill("#rf-login input[name=password]", password);
    await page.click("#rf-login button");
    await until(async () => (await page.textContent("#rf-user")) === username, "basic login");
  }],
  ["no script or policy errors on any page", async () => {
    await expect("console errors", problems.join(" | "), "");
  }],
];

let failed = 0;
for (const [name, step] of steps) {
  try {
    await step();
    console.log(`ok    ${name}`);
  } catch (e) {
    failed++;
    console.log(`FAIL  ${name}: ${e.message.split("\n")[0]}`);
    await page.screenshot({ path: join(outDir, `browsable-failed-${failed}.png`), fullPage: true })
      .catch(() => {});
  }
}
await browser.close();
rmSync(profile, { recursive: true, force: true });
console.log(`${steps.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
