// The shape of generated configuration before it is rendered: plain values,
// maps in the order Prometheus's own docs list their keys.

/** A value in a generated YAML document. */
export type YamlValue = string | number | boolean | YamlValue[] | YamlMap;

/** A YAML mapping; key order is the output order. */
export interface YamlMap {
  [key: string]: YamlValue;
}

/** Sorted copy of a string map, for output that does not depend on input order. */
export function sortedMap(map: Readonly<Record<string, string>>): YamlMap {
  return Object.fromEntries(
    Object.keys(map)
      .sort()
      .map((k) => [k, map[k]!]),
  );
}
