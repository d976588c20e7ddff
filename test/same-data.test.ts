// sameData: equal when the JSON would be, walking only what is not the same object.
import assert from "node:assert/strict";
import { test } from "node:test";
import { oncePerObject, sameData } from "../src/same-data.ts";

test("values with the same JSON are the same data; a key holding undefined counts as no key", () => {
  assert.ok(sameData({ a: 1, b: [1, { c: "x" }] }, { b: [1, { c: "x" }], a: 1 }), "key order does not matter");
  assert.ok(sameData({ a: 1, b: undefined }, { a: 1 }));
  assert.ok(sameData({ a: 1 }, { a: 1, b: undefined }));
  assert.ok(sameData([], []));
  assert.ok(sameData(null, null));
});

test("any difference, at any depth, is told", () => {
  assert.ok(!sameData({ a: 1, b: [1, { c: "x" }] }, { a: 1, b: [1, { c: "y" }] }));
  assert.ok(!sameData({ a: 1 }, { a: 1, b: 2 }));
  assert.ok(!sameData({ a: 1, b: 2 }, { a: 1 }));
  assert.ok(!sameData({ a: 1, b: 2 }, { a: 1, c: 2 }), "as many keys, other names");
  assert.ok(!sameData([1, 2], [1, 2, 3]));
  assert.ok(!sameData([], {}), "a list is not an object");
  assert.ok(!sameData({}, []));
  assert.ok(!sameData({ a: null }, { a: {} }));
  assert.ok(!sameData("1", 1));
  assert.ok(!sameData({ a: 0 }, { a: undefined }));
  assert.ok(!sameData({ at: new Date(0) }, { at: new Date(1000) }), "dates, by their JSON");
  assert.ok(sameData({ at: new Date(0) }, { at: new Date(0) }));
});

test("an object shared by both is equal at once, without being walked", () => {
  const shared = { big: [1, 2, 3] };
  let walked = 0;
  const watched = new Proxy(shared, { ownKeys: (t) => (walked++, Reflect.ownKeys(t)), get: (t, k) => (walked++, Reflect.get(t, k)) });
  assert.ok(sameData({ a: 1, part: watched }, { a: 1, part: watched }));
  assert.equal(walked, 0);
});

test("oncePerObject makes a value once per object, the same value for the same object", () => {
  let calls = 0;
  const wrapped = oncePerObject((o: { n: number }) => (calls++, { twice: o.n * 2 }));
  const a = { n: 1 };
  assert.equal(wrapped(a), wrapped(a));
  assert.notEqual(wrapped(a), wrapped({ n: 1 }), "another object, another value");
  assert.equal(calls, 2);
  const undefinedOnce = oncePerObject(() => (calls++, undefined));
  undefinedOnce(a);
  undefinedOnce(a);
  assert.equal(calls, 3, "an undefined value is remembered too");
});
