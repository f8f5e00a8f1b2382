/** One YAML serialisation for every rendered file, so the same value always gives the same bytes. */
import { stringify } from "yaml";

export interface YamlStyle {
    /** Quote every string value with single quotes (keys stay plain). */
    readonly singleQuoteStrings?: boolean;
}

/** Sorted keys, no line folding, no anchors: output depends on the value only. */
export function toDeterministicYaml(value: unknown, style: YamlStyle = {}): string {
    return stringify(value, {
        sortMapEntries: true,
        lineWidth: 0,
        aliasDuplicateObjects: false,
        ...(style.singleQuoteStrings ? { defaultStringType: "QUOTE_SINGLE", defaultKeyType: "PLAIN" } : {}),
    });
}
