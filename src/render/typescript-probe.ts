// Imported to learn whether this process loads TypeScript through a full compiler
// (tsx): a parameter property is TypeScript that Node's own type stripping refuses.
export class TypeScriptProbe {
  constructor(readonly loaded: boolean) {}
}
