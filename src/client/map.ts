// The map bundle (Leaflet, self-hosted), for a gallery that publishes GPS: on
// /map/ every picture with a position as a marker (its thumbnail, a link to its
// page, named by its title), on a panorama page a small map of where it was
// taken with the direction the reader looks, turned by the viewer's
// `rotunda:view` event. Tiles come from the gallery's `map.tiles`, credited
// with its `map.attribution`.
import * as L from "leaflet";
import "leaflet/dist/leaflet.css";
import "./map.css";
import { directionWedge } from "./map-direction.ts";

interface MapPin {
  url: string;
  title: string;
  date?: string;
  thumbnail: string;
  lat: number;
  lng: number;
}

interface MapData {
  tiles: string;
  attribution: string;
  pins: MapPin[];
}

/** The view event's detail (src/client/view-events.ts): heading is the compass direction, absent when north is unknown. */
interface ViewDetail {
  yaw: number;
  pitch: number;
  hfov: number;
  heading?: number;
}

/** What a panorama page's viewer data holds for the map, only where the gallery publishes GPS. */
interface PanoramaMapData {
  title: string;
  position?: { lat: number; lng: number };
  map?: { tiles: string; attribution: string };
}

const VIEW_EVENT = "rotunda:view";
/** Closest zoom the gallery's map starts at: a street, not a doorway. */
const MAX_START_ZOOM = 17;
const MINIMAP_ZOOM = 17;

const readJson = <T>(id: string): T | undefined => {
  const text = document.getElementById(id)?.textContent;
  return text ? (JSON.parse(text) as T) : undefined;
};

function tiles(map: L.Map, template: string, attribution: string): void {
  L.tileLayer(template, { attribution, maxZoom: 19 }).addTo(map);
}

/** A marker for a picture: its thumbnail as a link to its page, named by its title and date. */
function pinIcon(pin: MapPin): L.DivIcon {
  const link = document.createElement("a");
  link.href = pin.url;
  link.className = "map-pin-link";
  const name = pin.date ? `${pin.title}, ${pin.date}` : pin.title;
  link.title = name;
  const image = document.createElement("img");
  image.src = pin.thumbnail;
  image.alt = name;
  image.width = 64;
  image.height = 32;
  // Markers far outside the map's view fetch their thumbnails only when the map comes near them.
  image.loading = "lazy";
  image.decoding = "async";
  link.append(image);
  return L.divIcon({ html: link, className: "map-pin", iconSize: [68, 36], iconAnchor: [34, 44] });
}

function startMapPage(data: MapData, element: HTMLElement): void {
  element.hidden = false;
  const map = L.map(element);
  tiles(map, data.tiles, data.attribution);
  const points = data.pins.map((pin) => L.latLng(pin.lat, pin.lng));
  data.pins.forEach((pin, i) => {
    // The link inside is the marker's one Tab stop: Leaflet's own keyboard handle would add a second.
    const marker = L.marker(points[i]!, { icon: pinIcon(pin), keyboard: false, riseOnHover: true }).addTo(map);
    // A marker reached with Tab comes into view.
    marker.getElement()?.addEventListener("focusin", () => {
      if (!map.getBounds().contains(points[i]!)) map.panTo(points[i]!, { animate: false });
    });
  });
  map.fitBounds(L.latLngBounds(points), { padding: [48, 48], maxZoom: MAX_START_ZOOM, animate: false });
  document.documentElement.dataset.map = "ready";
}

function startMinimap(data: PanoramaMapData, element: HTMLElement): void {
  if (!data.position || !data.map) return;
  element.hidden = false;
  const at = L.latLng(data.position.lat, data.position.lng);
  const map = L.map(element, { scrollWheelZoom: false }).setView(at, MINIMAP_ZOOM, { animate: false });
  tiles(map, data.map.tiles, data.map.attribution);
  const svgNs = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(svgNs, "svg");
  svg.setAttribute("viewBox", "-32 -32 64 64");
  svg.setAttribute("width", "64");
  svg.setAttribute("height", "64");
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", `Where ${data.title} was taken`);
  const wedge = document.createElementNS(svgNs, "path");
  wedge.setAttribute("class", "minimap-direction");
  wedge.setAttribute("visibility", "hidden");
  const dot = document.createElementNS(svgNs, "circle");
  dot.setAttribute("class", "minimap-position");
  dot.setAttribute("r", "6");
  svg.append(wedge, dot);
  L.marker(at, { icon: L.divIcon({ html: svg as unknown as HTMLElement, className: "minimap-marker", iconSize: [64, 64], iconAnchor: [32, 32] }), keyboard: false, interactive: false }).addTo(map);
  document.addEventListener(VIEW_EVENT, (event) => {
    const detail = (event as CustomEvent<ViewDetail>).detail;
    if (detail?.heading === undefined || !Number.isFinite(detail.heading)) {
      wedge.setAttribute("visibility", "hidden");
      delete element.dataset.heading;
      svg.setAttribute("aria-label", `Where ${data.title} was taken`);
      return;
    }
    wedge.setAttribute("d", directionWedge(detail.heading, detail.hfov, 30));
    wedge.setAttribute("visibility", "visible");
    const heading = Math.round(((detail.heading % 360) + 360) % 360) % 360;
    element.dataset.heading = String(heading);
    svg.setAttribute("aria-label", `Where ${data.title} was taken, looking ${heading}° from north`);
  });
  document.documentElement.dataset.minimap = "ready";
}

const mapData = readJson<MapData>("rotunda-map-data");
const mapElement = document.getElementById("rotunda-map");
if (mapData && mapElement) startMapPage(mapData, mapElement);
const minimapElement = document.getElementById("rotunda-minimap");
const panorama = readJson<PanoramaMapData>("rotunda-viewer-data");
if (panorama && minimapElement) startMinimap(panorama, minimapElement);
