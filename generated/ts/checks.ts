// Copied from codegen/emitters/ts_runtime/checks.ts by `make gen`; do not edit (edit that file).
/**
 * The checks the generated request validators (validate.ts) are made of, one per kind of
 * (prim.v1.rules) rule: the TypeScript twin of codegen/emitters/py_runtime/checks.py, with
 * every message worded the same, so that the SDK refuses a field locally with the words
 * and the error the server would answer with (400 INVALID_ARGUMENT naming the field).
 *
 * `make gen` copies this file into generated/ts/checks.ts; edit it here. Values have the
 * proto3 JSON shapes of types.ts (64-bit integers as decimal strings, enums as names).
 */

import { GROUP_ID_BASE } from "./constants.js";
import { MAX_RECEIVER } from "./header.js";
import { PrimApiError } from "./http.js";

/** A field path as proto3 JSON names it (each segment lowerCamelCase). */
function jsonPath(path: string): string {
  return path
    .split(".")
    .map((part) => part.replace(/_([a-z0-9])/g, (_, ch: string) => ch.toUpperCase()))
    .join(".");
}

/** The error the server answers a broken rule with, thrown before anything is sent. */
export function violation(field: string, message: string): PrimApiError {
  return new PrimApiError(
    400,
    {
      code: "ERROR_CODE_INVALID_ARGUMENT",
      message,
      field,
      violations: [{ field: jsonPath(field), description: message }],
    },
    message,
  );
}

export function at(where: string, name: string): string {
  return where ? `${where}.${name}` : name;
}

/** A 64-bit (or 32-bit) integer field's value; null when it is no integer (the server's
 * decoder words that refusal). */
export function int(value: string | number | bigint | undefined | null): bigint | null {
  if (value === undefined || value === null) return 0n;
  try {
    return BigInt(value);
  } catch {
    return null;
  }
}

export function required(present: boolean, field: string): void {
  if (!present) throw violation(field, `${field} is required`);
}

const ID_WANTED: Record<string, string> = {
  USER: "the id of a user",
  GROUP: "the id of a group",
  PEER: "another user's id, a group id, or your own id for your notifications",
};

/** User ids are 1 .. GROUP_ID_BASE - 1, group ids GROUP_ID_BASE .. MAX_RECEIVER, a peer
 * either; 0 is the field left out. */
export function idOf(
  raw: string | number | undefined,
  field: string,
  kind: "USER" | "GROUP" | "PEER",
  isRequired: boolean,
  caller?: string | bigint,
  notCaller = "",
): void {
  const value = int(raw);
  if (value === null) return;
  if (value === 0n) {
    if (isRequired) throw violation(field, `${field} is required: ${ID_WANTED[kind]}`);
    return;
  }
  const users = `1 to ${GROUP_ID_BASE - 1n}`;
  const groups = `${GROUP_ID_BASE} to ${MAX_RECEIVER}`;
  if (value > MAX_RECEIVER) {
    const what = {
      USER: `user ids are ${users}`,
      GROUP: `group ids are ${groups}`,
      PEER: `ids end at ${MAX_RECEIVER}`,
    }[kind];
    throw violation(field, `${field} is no id (${what})`);
  }
  if (kind === "USER" && value >= GROUP_ID_BASE) {
    throw violation(field, `${field} is a group id; give a user id (${users})`);
  }
  if (kind === "GROUP" && value < GROUP_ID_BASE) {
    throw violation(field, `${field} is a user id; give a group id (${groups})`);
  }
  if (notCaller && caller !== undefined && int(caller) === value) {
    throw violation(field, `${field} is your own id; ${notCaller}`);
  }
}

export function atMostHeader(
  raw: string | number | undefined,
  field: string,
  limit: bigint,
  headerField: string,
): void {
  const value = int(raw);
  if (value !== null && value > limit) {
    throw violation(
      field,
      `${field} is ${value}; at most ${limit} is allowed (the largest the header's ${headerField} holds)`,
    );
  }
}

/** 0 is the field left out (proto3): the minimum does not refuse it (REQUIRED does). */
export function inRange(
  raw: number | string | undefined,
  field: string,
  minimum: number | null,
  maximum: number | null,
): void {
  const value = int(raw);
  if (value === null) return;
  if (maximum !== null && value > BigInt(maximum)) {
    throw violation(field, `${field} is ${value}; at most ${maximum} is allowed`);
  }
  if (value !== 0n && minimum !== null && value < BigInt(minimum)) {
    throw violation(field, `${field} is ${value}; at least ${minimum} is needed`);
  }
}

export function oneOf(value: string | number, field: string, names: readonly string[]): void {
  if (typeof value !== "string" || !names.includes(value)) {
    throw violation(field, `${field} must be one of ${names.join(", ")}`);
  }
}

// Control characters (and lone surrogates, which UTF-8 cannot carry), as Python's
// unicodedata categories Cc and Cs; the second also lets line breaks through.
const CONTROL = /[\p{Cc}\p{Cs}]/u;
const CONTROL_BUT_LF = /(?!\n)[\p{Cc}\p{Cs}]/u;

/** `value` without surrounding white space (String.prototype.trim: the set checks.py
 * strips), if it has no control characters (but line breaks, where `lines`). */
export function text(value: string, field: string, lines: boolean): string {
  const trimmed = value.trim();
  if ((lines ? CONTROL_BUT_LF : CONTROL).test(trimmed)) {
    const what = lines ? "control characters other than line breaks" : "control characters";
    throw violation(field, `${field} may not contain ${what}; remove them`);
  }
  return trimmed;
}

export function nonBlank(value: string, field: string, label = ""): void {
  if (!value) throw violation(field, `${label || field} may not be empty or only white space`);
}

/** Lengths count code points, as Python's len does; `maximum` 0 is no limit. */
export function length(
  value: string,
  field: string,
  minimum: number,
  maximum: number,
  label = "",
): void {
  const name = label || field;
  const size = [...value].length;
  if (size < minimum) {
    throw violation(field, `${name} must have at least ${minimum} character(s); it has ${size}`);
  }
  if (maximum && size > maximum) {
    throw violation(field, `${name} has ${size} characters; at most ${maximum} are allowed`);
  }
}

export function items(values: readonly unknown[], field: string, maximum: number): void {
  if (values.length > maximum) {
    throw violation(field, `${field} has ${values.length} items; at most ${maximum} are allowed`);
  }
}

export function unique(values: readonly unknown[], field: string): void {
  if (new Set(values).size !== values.length) {
    throw violation(field, `${field} repeats an item; give each one once`);
  }
}

export function pattern(value: string, field: string, regex: string, label = ""): void {
  if (!new RegExp(regex, "u").test(value)) {
    throw violation(field, `${label || field} does not have the form ${regex}`);
  }
}
