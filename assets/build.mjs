// Builds core/static/ (served under /static/, packaged with the core app) from the npm packages:
// never commit its output.
import { cpSync, mkdirSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as sass from "sass";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const require = createRequire(import.meta.url);
const out = join(root, "core", "static");
const govukDist = join(dirname(require.resolve("govuk-frontend/package.json")), "dist", "govuk");

rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, "css"), { recursive: true });
mkdirSync(join(out, "js"), { recursive: true });

const css = sass.compile(join(root, "assets", "scss", "app.scss"), {
  style: "compressed",
  importers: [new sass.NodePackageImporter(root)],
  quietDeps: true,
  silenceDeprecations: ["import"],
});
await import("node:fs").then((fs) => fs.writeFileSync(join(out, "css", "app.css"), css.css));

// Source maps go along: the hashed-manifest storage rewrites the references to them.
for (const file of ["govuk-frontend.min.js", "govuk-frontend.min.js.map"]) {
  cpSync(join(govukDist, file), join(out, "govuk", file));
}
// Images and favicons only: the fonts are GDS Transport, which a council may not use.
cpSync(join(govukDist, "assets", "images"), join(out, "govuk", "assets", "images"), { recursive: true });
cpSync(join(govukDist, "assets", "manifest.json"), join(out, "govuk", "assets", "manifest.json"));
for (const file of ["chart.umd.min.js", "chart.umd.min.js.map"]) {
  cpSync(join(dirname(require.resolve("chart.js")), file), join(out, "js", file));
}
cpSync(join(root, "assets", "js"), join(out, "js"), { recursive: true });
console.log(`assets built in ${out}`);
