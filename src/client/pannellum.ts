// Pannellum, self-hosted, built from its sources with Rotunda's small changes
// (src/client/pannellum/*.patch, applied by src/render/assets.ts at bundle time):
// its global `pannellum` and `libpannellum`, and its stylesheet with Rotunda's.
import "pannellum/src/js/libpannellum.js";
import "pannellum/src/js/pannellum.js";
import "pannellum/build/pannellum.css";
import "./viewer.css";
