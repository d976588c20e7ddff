// The live view in the browser: reads the camera's frames from Rotunda's
// /stream, decodes the newest one (older ones waiting are dropped), draws it on a
// canvas that a Pannellum viewer shows as a dynamic equirectangular panorama, so
// the operator turns and zooms while it moves. The camera's status and state
// come as server-sent events; the Shoot button asks Rotunda to take a picture.
// <html data-live="…"> carries the status for tests and styling;
// window.rotundaLive counts frames received and shown, and their age when shown
// (from a camera that stamps X-Sent-At, as the emulator does).
import "pannellum";
import "pannellum/build/pannellum.css";
import "./live.css";
import { formatBytes } from "../format.ts";
import { FrameReader, type StreamPart } from "./live-stream.ts";

interface LiveData {
  camera: string;
  stream: string;
  events: string;
  shoot: string;
}

interface LiveStats {
  received: number;
  shown: number;
  /** ms from the camera's X-Sent-At to the frame on screen, for the last 20 000 frames shown. */
  ages: number[];
  /** The camera's X-Frame of the last frame shown. */
  lastFrame: number;
  viewer?: Pannellum.Viewer;
}

interface Shot {
  fileUrl: string;
  file?: string;
  page?: string;
  picture?: string;
}

type LiveWindow = Window & { rotundaLive?: LiveStats };

const root = document.documentElement;
const dataElement = document.getElementById("rotunda-live-data");
const container = document.getElementById("live-viewer");
const statusElement = document.getElementById("live-status");
const messageElement = document.getElementById("live-message");
const shotElement = document.getElementById("live-shot");
const shootButton = document.getElementById("live-shoot") as HTMLButtonElement | null;

const stats: LiveStats = { received: 0, shown: 0, ages: [], lastFrame: 0 };
(window as LiveWindow).rotundaLive = stats;

const canvas = document.createElement("canvas");
// A canvas kept in memory (not on the GPU): WebGL uploads it each frame without a read-back.
const context = canvas.getContext("2d", { willReadFrequently: true });
let viewer: Pannellum.Viewer | undefined;
let viewerLoaded = false;
/** The newest frame read and not yet decoding. */
let waiting: StreamPart | undefined;
let decoding = false;
/** The newest decoded frame not yet drawn. */
let decoded: { bitmap: ImageBitmap; part: StreamPart } | undefined;
let drawScheduled = false;
/**
 * A device that cannot keep up (software WebGL, an old phone) is lightened in two
 * steps, which keep the picture moving rather than sharp: frames decoded at half
 * size when uploading them is slow or frames are dropped, then the viewer drawn at
 * half resolution when frames are still dropped.
 */
let halfSize = false;
let coarse = false;
let uploadMs = 0;
let uploads = 0;
const SLOW_UPLOAD_MS = 15;
/** Frames drawn, and frames decoded but replaced by a newer one before they could be drawn, since the last check. */
let drawnLately = 0;
let droppedLately = 0;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function showMessage(text: string | undefined): void {
  if (!messageElement) return;
  messageElement.hidden = !text;
  messageElement.textContent = text ?? "";
}

const STATUS_WORDS: Record<string, string> = {
  idle: "waiting",
  connecting: "connecting…",
  live: "live",
  reconnecting: "reconnecting…",
  shooting: "shooting…",
  unsupported: "no live preview",
  failed: "camera refused",
};

function showStatus(status: { state: string; message?: string }): void {
  root.dataset.live = status.state;
  if (statusElement) statusElement.textContent = STATUS_WORDS[status.state] ?? status.state;
  showMessage(status.state === "live" || status.state === "shooting" ? undefined : status.message);
}

/** Reads /stream for as long as the page is open, starting again when Rotunda's answer ends. */
async function readStream(url: string): Promise<void> {
  for (;;) {
    try {
      const response = await fetch(url, { cache: "no-store" });
      if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}`);
      const reader = response.body.getReader();
      const frames = new FrameReader();
      for (;;) {
        const read = await reader.read();
        if (read.done) break;
        for (const part of frames.push(read.value)) {
          stats.received += 1;
          waiting = part;
        }
        void decodeNewest();
      }
    } catch (error) {
      console.warn(`live stream: ${(error as Error).message}`);
    }
    await sleep(1000);
  }
}

/** Decodes the newest frame waiting; frames that came meanwhile are dropped but the newest. */
async function decodeNewest(): Promise<void> {
  if (decoding || !waiting) return;
  const part = waiting;
  waiting = undefined;
  decoding = true;
  try {
    const blob = new Blob([part.body as BlobPart], { type: "image/jpeg" });
    const bitmap = halfSize && canvas.width > 0
      ? await createImageBitmap(blob, { resizeWidth: canvas.width, resizeHeight: canvas.height, resizeQuality: "low" })
      : await createImageBitmap(blob);
    if (decoded) {
      decoded.bitmap.close();
      droppedLately += 1;
    }
    decoded = { bitmap, part };
    if (!drawScheduled) {
      drawScheduled = true;
      requestAnimationFrame(draw);
    }
  } catch {
    // A frame the browser cannot decode is skipped; the next one follows.
  } finally {
    decoding = false;
  }
  void decodeNewest();
}

function startViewer(): void {
  // A new viewer (first frame, or a new frame size) keeps the operator's view.
  const view = viewer ? { yaw: viewer.getYaw(), pitch: viewer.getPitch(), hfov: viewer.getHfov() } : { hfov: 100 };
  viewer?.destroy();
  viewerLoaded = false;
  viewer = pannellum.viewer(container!, {
    ...view,
    type: "equirectangular",
    panorama: canvas as unknown as string,
    dynamic: true,
    // Loading a dynamic panorama starts with updates on; they stop once it has loaded.
    dynamicUpdate: true,
    autoLoad: true,
    showZoomCtrl: true,
    showFullscreenCtrl: true,
    minHfov: 30,
    maxHfov: 120,
  } as Pannellum.ConfigOptions);
  const started = viewer;
  const loaded = () => {
    if (viewerLoaded) return;
    viewerLoaded = true;
    // From now on each new frame is rendered once (renderNow), not every animation frame.
    started.setUpdate(false);
    root.dataset.viewer = "loaded";
  };
  started.on("load", loaded);
  // A dynamic panorama can finish loading inside pannellum.viewer(), before `on` is called.
  if (started.isLoaded()) loaded();
  stats.viewer = started;
}

/** One render of the current view: a dynamic panorama uploads the canvas as it renders. */
function renderNow(shown: Pannellum.Viewer): void {
  const radians = Math.PI / 180;
  const renderer = shown.getRenderer() as unknown as { render(pitch: number, yaw: number, hfov: number, params: { roll: number }): void };
  renderer.render(shown.getPitch() * radians, shown.getYaw() * radians, shown.getHfov() * radians, { roll: 0 });
}

/** One step lighter (see halfSize). */
function lighten(): void {
  if (!halfSize) {
    halfSize = true;
    uploads = -1;
    root.dataset.liveScale = "half";
  } else if (!coarse && container && viewer) {
    coarse = true;
    container.classList.add("live-viewer--coarse");
    viewer.resize();
    root.dataset.liveScale = "coarse";
  }
}

/** Watches how long a frame takes to reach the screen. */
function noteUpload(ms: number): void {
  if (halfSize) return;
  uploads += 1;
  uploadMs += ms;
  if (uploads >= 8 && uploadMs / uploads > SLOW_UPLOAD_MS) lighten();
}

/** Watches how many frames are dropped for want of a chance to draw them. */
function noteDrawn(): void {
  drawnLately += 1;
  if (drawnLately + droppedLately < 60) return;
  if (droppedLately > (drawnLately + droppedLately) / 10) lighten();
  drawnLately = 0;
  droppedLately = 0;
}

/** Draws the newest decoded frame and has Pannellum show it at once. */
function draw(): void {
  drawScheduled = false;
  const frame = decoded;
  decoded = undefined;
  if (!frame || !context || !container) return;
  const bitmap = frame.bitmap;
  const part = frame.part;
  // Full size: the frame's; half size: the canvas's (frames come decoded to it), set once on switching.
  let width = halfSize ? canvas.width : bitmap.width;
  let height = halfSize ? canvas.height : bitmap.height;
  if (halfSize && uploads === -1) {
    uploads = 0;
    width = Math.max(1, bitmap.width >> 1);
    height = Math.max(1, bitmap.height >> 1);
  }
  const resized = canvas.width !== width || canvas.height !== height;
  if (resized) {
    canvas.width = width;
    canvas.height = height;
  }
  context.drawImage(bitmap, 0, 0, width, height);
  bitmap.close();
  if (!viewer || resized) startViewer();
  else if (viewerLoaded) {
    const before = performance.now();
    renderNow(viewer);
    noteUpload(performance.now() - before);
  }
  stats.shown += 1;
  noteDrawn();
  const sentAt = Number(part.headers["x-sent-at"]);
  if (sentAt > 0) {
    stats.ages.push(Date.now() - sentAt);
    if (stats.ages.length > 20_000) stats.ages.splice(0, stats.ages.length - 20_000);
  }
  const number = Number(part.headers["x-frame"]);
  if (number > 0) stats.lastFrame = number;
  root.dataset.frames = String(stats.shown);
}

function setField(name: string, text: string): void {
  const element = document.querySelector(`#live-camera [data-field="${name}"]`);
  if (element) element.textContent = text;
}

function showCamera(camera: { batteryLevel?: number; batteryState?: string; captureStatus?: string; remainingPictures?: number; remainingSpace?: number; error?: string }): void {
  if (camera.error) {
    setField("battery", "?");
    setField("storage", "?");
    setField("capture", camera.error);
    return;
  }
  setField("battery", camera.batteryLevel === undefined ? "unknown" : `${Math.round(camera.batteryLevel * 100)}%${camera.batteryState === "charging" ? " (charging)" : ""}`);
  const storage = [camera.remainingPictures === undefined ? "" : `${camera.remainingPictures} pictures`, camera.remainingSpace === undefined ? "" : formatBytes(camera.remainingSpace)].filter(Boolean).join(", ");
  setField("storage", storage || "unknown");
  setField("capture", camera.captureStatus ?? "unknown");
}

function showShot(shot: Shot): void {
  if (!shotElement) return;
  shotElement.hidden = false;
  shotElement.replaceChildren();
  if (shot.picture) {
    const img = document.createElement("img");
    img.src = shot.picture;
    img.alt = "The new picture";
    shotElement.append(img);
  }
  const text = document.createElement("p");
  if (shot.page) {
    const link = document.createElement("a");
    link.href = shot.page;
    link.id = "live-shot-page";
    link.textContent = "Open the new picture's page";
    text.append(link, ` (${shot.file ?? shot.fileUrl})`);
  } else if (shot.file) {
    text.textContent = `New picture pulled into the gallery: ${shot.file}`;
  } else {
    text.textContent = `New picture on the camera: ${shot.fileUrl}`;
  }
  shotElement.append(text);
}

async function shoot(url: string): Promise<void> {
  if (!shootButton) return;
  shootButton.disabled = true;
  shootButton.textContent = "Shooting…";
  root.dataset.shot = "taking";
  try {
    const response = await fetch(url, { method: "POST", headers: { "x-rotunda-live": "1" } });
    const answer = (await response.json()) as Shot & { error?: string };
    if (!response.ok) throw new Error(answer.error ?? `HTTP ${response.status}`);
    showShot(answer);
    root.dataset.shot = "landed";
  } catch (error) {
    showMessage(`The picture could not be taken: ${(error as Error).message}`);
    root.dataset.shot = "failed";
  } finally {
    shootButton.disabled = false;
    shootButton.textContent = "Shoot";
  }
}

function listen(url: string): void {
  const events = new EventSource(url);
  events.onmessage = (message) => {
    const event = JSON.parse(message.data as string) as { type: string; status?: { state: string; message?: string }; camera?: Parameters<typeof showCamera>[0]; shot?: Shot };
    if (event.type === "status" && event.status) showStatus(event.status);
    else if (event.type === "camera" && event.camera) showCamera(event.camera);
    else if (event.type === "shot" && event.shot) showShot(event.shot);
  };
  events.onerror = () => {
    root.dataset.live = "disconnected";
    if (statusElement) statusElement.textContent = "Rotunda is not answering";
  };
}

function start(): void {
  if (!dataElement || !container) return;
  const data = JSON.parse(dataElement.textContent ?? "{}") as LiveData;
  listen(data.events);
  void readStream(data.stream);
  shootButton?.addEventListener("click", () => void shoot(data.shoot));
}

start();
