/**
 * The S3 XML of bucket lifecycle configurations: the `<LifecycleConfiguration>` that
 * PutBucketLifecycleConfiguration takes (what the AWS SDKs and `aws s3api` send), parsed into a
 * `LifecycleDocument` and validated, and the document GetBucketLifecycleConfiguration answers. A document
 * that does not have the shape of the S3 schema (an unknown or repeated element, a missing required one,
 * two filter conditions without `<And>`, text where a number belongs) is `MalformedXML`; a well-formed one
 * that breaks a lifecycle rule is `InvalidArgument` or `InvalidRequest` (see `tiers/lifecycle`). Our
 * extension `<NotAccessedTransition>` is accepted and rendered like the AWS actions. Pure, table-tested.
 */
import {
  LifecycleConfigurationError,
  type LifecycleDocument,
  type LifecycleDocumentRule,
  type LifecycleExpiration,
  type LifecycleFilter,
  type LifecycleTag,
  type LifecycleTransition,
  MAX_LIFECYCLE_RULES,
  type NoncurrentVersionTransition,
  TRANSITION_STORAGE_CLASSES,
  transitionRank,
  type TransitionStorageClass,
  validateLifecycleConfiguration,
} from "../tiers/lifecycle/mod.ts";
import { S3Error } from "./s3_errors.ts";
import { parseXml, renderXml, S3_XMLNS, type XmlElement } from "./xml.ts";

/** Options of the parser. */
export interface LifecycleParseOptions {
  /** Makes the ID of a rule sent without one (S3 generates one); random by default. */
  readonly newRuleId?: () => string;
}

type XmlNode = Record<string, unknown>;

const RULE_ELEMENTS = [
  "ID",
  "Status",
  "Filter",
  "Prefix",
  "Expiration",
  "Transition",
  "NoncurrentVersionExpiration",
  "NoncurrentVersionTransition",
  "AbortIncompleteMultipartUpload",
  "NotAccessedTransition",
];
const FILTER_CONDITIONS = ["Prefix", "Tag", "ObjectSizeGreaterThan", "ObjectSizeLessThan"];

/** Parses and validates the text of a `<LifecycleConfiguration>` document. */
export function parseLifecycleConfiguration(
  text: string,
  options: LifecycleParseOptions = {},
): LifecycleDocument {
  return lifecycleFromDocument(parseXml(text, "LifecycleConfiguration"), options);
}

/**
 * The validated configuration of a parsed `<LifecycleConfiguration>` root: rules in document order, an ID
 * generated for each rule without one, transitions sorted by day (or date). Throws `S3Error`.
 */
export function lifecycleFromDocument(root: XmlNode, options: LifecycleParseOptions = {}): LifecycleDocument {
  onlyKnown(root, ["Rule"], "LifecycleConfiguration");
  const entries = listOf(root.Rule);
  if (entries.length === 0) throw malformed("A <LifecycleConfiguration> needs at least one <Rule>");
  // Refuse before parsing every rule of an oversized document.
  if (entries.length > MAX_LIFECYCLE_RULES) {
    throw new S3Error(
      "InvalidRequest",
      `A lifecycle configuration holds at most ${MAX_LIFECYCLE_RULES} rules, got ${entries.length}`,
    );
  }
  const drafts = entries.map((entry, index) => ruleFrom(entry, `Rule[${index + 1}]`));
  const taken = new Set(drafts.flatMap((draft) => draft.id === "" ? [] : [draft.id]));
  const newRuleId = options.newRuleId ?? randomRuleId;
  const rules = drafts.map((draft): LifecycleDocumentRule => {
    if (draft.id !== "") return draft;
    let id = newRuleId();
    while (taken.has(id)) id = newRuleId();
    taken.add(id);
    return { ...draft, id };
  });
  const configuration: LifecycleDocument = { rules };
  try {
    validateLifecycleConfiguration(configuration);
  } catch (error) {
    if (error instanceof LifecycleConfigurationError) throw lifecycleS3Error(error);
    throw error;
  }
  return configuration;
}

/** The S3 error for a configuration the lifecycle rules refuse. */
export function lifecycleS3Error(error: LifecycleConfigurationError): S3Error {
  switch (error.kind) {
    case "invalid_argument":
      return new S3Error("InvalidArgument", error.message, {}, { cause: error });
    case "invalid_request":
      return new S3Error("InvalidRequest", error.message, {}, { cause: error });
  }
}

/** The `<LifecycleConfiguration>` document GetBucketLifecycleConfiguration answers. */
export function renderLifecycleConfiguration(configuration: LifecycleDocument): string {
  return renderXml("LifecycleConfiguration", {
    "@_xmlns": S3_XMLNS,
    Rule: configuration.rules.map(ruleElement),
  });
}

/** A rule ID as S3 makes them: base64 of a random UUID (48 characters). */
function randomRuleId(): string {
  return btoa(crypto.randomUUID());
}

function ruleFrom(value: unknown, path: string): LifecycleDocumentRule {
  const node = elementOf(value, path);
  onlyKnown(node, RULE_ELEMENTS, path);
  const status = textOf(node.Status, `${path}/Status`);
  if (status === undefined) throw malformed(`<${path}> needs a <Status>`);
  if (status !== "Enabled" && status !== "Disabled") {
    throw malformed(`<${path}/Status> must be Enabled or Disabled, got "${status}"`);
  }
  if (node.Filter !== undefined && node.Prefix !== undefined) {
    throw malformed(`<${path}> takes a <Filter> or the older <Prefix>, not both`);
  }
  const legacyPrefix = textOf(node.Prefix, `${path}/Prefix`);
  // AWS documents Filter as required when Prefix is absent, yet its newer API applies a rule without
  // either to every object; accepting that (as an empty filter) is what SDK users expect.
  const filter = legacyPrefix !== undefined
    ? { prefix: legacyPrefix }
    : node.Filter === undefined
    ? {}
    : filterFrom(node.Filter, `${path}/Filter`);
  const rule: Mutable<LifecycleDocumentRule> = {
    id: textOf(node.ID, `${path}/ID`) ?? "",
    status,
    filter,
    transitions: sortByRank(
      listOf(node.Transition).map((entry) => transitionFrom(entry, `${path}/Transition`)),
    ),
    noncurrentVersionTransitions: sortByRank(
      listOf(node.NoncurrentVersionTransition).map((entry) =>
        noncurrentTransitionFrom(entry, `${path}/NoncurrentVersionTransition`)
      ),
    ),
  };
  if (legacyPrefix !== undefined) rule.legacyPrefix = true;
  if (node.Expiration !== undefined) rule.expiration = expirationFrom(node.Expiration, `${path}/Expiration`);
  if (node.NoncurrentVersionExpiration !== undefined) {
    const where = `${path}/NoncurrentVersionExpiration`;
    const element = elementOf(node.NoncurrentVersionExpiration, where);
    onlyKnown(element, ["NoncurrentDays", "NewerNoncurrentVersions"], where);
    rule.noncurrentVersionExpiration = withDefined({
      noncurrentDays: requiredInteger(element, "NoncurrentDays", where),
      newerNoncurrentVersions: integerOf(element, "NewerNoncurrentVersions", where),
    });
  }
  if (node.AbortIncompleteMultipartUpload !== undefined) {
    const where = `${path}/AbortIncompleteMultipartUpload`;
    const element = elementOf(node.AbortIncompleteMultipartUpload, where);
    onlyKnown(element, ["DaysAfterInitiation"], where);
    rule.abortIncompleteMultipartUpload = {
      daysAfterInitiation: requiredInteger(element, "DaysAfterInitiation", where),
    };
  }
  if (node.NotAccessedTransition !== undefined) {
    const where = `${path}/NotAccessedTransition`;
    const element = elementOf(node.NotAccessedTransition, where);
    onlyKnown(element, ["Days", "StorageClass"], where);
    rule.notAccessedTransition = {
      days: requiredInteger(element, "Days", where),
      storageClass: storageClassOf(element, where),
    };
  }
  return rule;
}

function filterFrom(value: unknown, path: string): LifecycleFilter {
  const node = elementOf(value, path);
  onlyKnown(node, [...FILTER_CONDITIONS, "And"], path);
  const names = Object.keys(node);
  if (names.length > 1 || listOf(node.Tag).length > 1) {
    throw malformed(
      `<${path}> holds one of Prefix, Tag, ObjectSizeGreaterThan, ObjectSizeLessThan or And; ` +
        `combine conditions inside <And> (got ${names.join(", ")})`,
    );
  }
  if (node.And === undefined) return conditionsFrom(node, path);
  const andPath = `${path}/And`;
  const and = elementOf(node.And, andPath);
  onlyKnown(and, FILTER_CONDITIONS, andPath);
  const filter = conditionsFrom(and, andPath);
  const conditions = (filter.prefix !== undefined ? 1 : 0) + (filter.tags?.length ?? 0) +
    (filter.objectSizeGreaterThan !== undefined ? 1 : 0) + (filter.objectSizeLessThan !== undefined ? 1 : 0);
  if (conditions < 2) {
    throw malformed(
      `<${andPath}> needs at least two conditions (Prefix, Tag, object sizes), got ${conditions}`,
    );
  }
  return filter;
}

function conditionsFrom(node: XmlNode, path: string): LifecycleFilter {
  const tags = listOf(node.Tag).map((entry): LifecycleTag => {
    const tagPath = `${path}/Tag`;
    const tag = elementOf(entry, tagPath);
    onlyKnown(tag, ["Key", "Value"], tagPath);
    const key = textOf(tag.Key, `${tagPath}/Key`);
    if (key === undefined) throw malformed(`Every <${tagPath}> needs a <Key>`);
    // A tag without a Value matches objects whose tag has that key and an empty value (AWS).
    return { key, value: textOf(tag.Value, `${tagPath}/Value`) ?? "" };
  });
  return withDefined({
    prefix: textOf(node.Prefix, `${path}/Prefix`),
    tags: tags.length > 0 ? tags : undefined,
    objectSizeGreaterThan: integerOf(node, "ObjectSizeGreaterThan", path),
    objectSizeLessThan: integerOf(node, "ObjectSizeLessThan", path),
  });
}

function expirationFrom(value: unknown, path: string): LifecycleExpiration {
  const node = elementOf(value, path);
  onlyKnown(node, ["Days", "Date", "ExpiredObjectDeleteMarker"], path);
  const expiration = withDefined({
    days: integerOf(node, "Days", path),
    date: dateOf(node, "Date", path),
    expiredObjectDeleteMarker: booleanOf(node, "ExpiredObjectDeleteMarker", path),
  });
  const given = Object.keys(expiration).length;
  if (given !== 1) {
    throw malformed(
      `<${path}> takes exactly one of Days, Date and ExpiredObjectDeleteMarker, got ${given}`,
    );
  }
  return expiration;
}

function transitionFrom(value: unknown, path: string): LifecycleTransition {
  const node = elementOf(value, path);
  onlyKnown(node, ["Days", "Date", "StorageClass"], path);
  const days = integerOf(node, "Days", path);
  const date = dateOf(node, "Date", path);
  if ((days === undefined) === (date === undefined)) {
    throw malformed(`<${path}> takes exactly one of Days and Date`);
  }
  return withDefined({ days, date, storageClass: storageClassOf(node, path) });
}

function noncurrentTransitionFrom(value: unknown, path: string): NoncurrentVersionTransition {
  const node = elementOf(value, path);
  onlyKnown(node, ["NoncurrentDays", "NewerNoncurrentVersions", "StorageClass"], path);
  return withDefined({
    noncurrentDays: requiredInteger(node, "NoncurrentDays", path),
    newerNoncurrentVersions: integerOf(node, "NewerNoncurrentVersions", path),
    storageClass: storageClassOf(node, path),
  });
}

function ruleElement(rule: LifecycleDocumentRule): XmlElement {
  const { filter } = rule;
  const onlyPrefix = filter.tags === undefined && filter.objectSizeGreaterThan === undefined &&
    filter.objectSizeLessThan === undefined;
  return {
    ID: rule.id,
    ...(rule.legacyPrefix === true && onlyPrefix
      ? { Prefix: filter.prefix ?? "" }
      : { Filter: filterElement(filter) }),
    Status: rule.status,
    Transition: rule.transitions.map((transition) => ({
      Date: transition.date,
      Days: transition.days,
      StorageClass: transition.storageClass,
    })),
    Expiration: rule.expiration === undefined ? undefined : {
      Date: rule.expiration.date,
      Days: rule.expiration.days,
      ExpiredObjectDeleteMarker: rule.expiration.expiredObjectDeleteMarker,
    },
    NoncurrentVersionTransition: rule.noncurrentVersionTransitions.map((transition) => ({
      NoncurrentDays: transition.noncurrentDays,
      StorageClass: transition.storageClass,
      NewerNoncurrentVersions: transition.newerNoncurrentVersions,
    })),
    NoncurrentVersionExpiration: rule.noncurrentVersionExpiration === undefined ? undefined : {
      NoncurrentDays: rule.noncurrentVersionExpiration.noncurrentDays,
      NewerNoncurrentVersions: rule.noncurrentVersionExpiration.newerNoncurrentVersions,
    },
    AbortIncompleteMultipartUpload: rule.abortIncompleteMultipartUpload === undefined
      ? undefined
      : { DaysAfterInitiation: rule.abortIncompleteMultipartUpload.daysAfterInitiation },
    NotAccessedTransition: rule.notAccessedTransition === undefined ? undefined : {
      Days: rule.notAccessedTransition.days,
      StorageClass: rule.notAccessedTransition.storageClass,
    },
  };
}

/** One condition as itself, several inside `<And>`, none as an empty `<Filter>` (every object). */
function filterElement(filter: LifecycleFilter): XmlElement | string {
  const conditions: XmlElement = {
    Prefix: filter.prefix,
    Tag: filter.tags?.map((tag) => ({ Key: tag.key, Value: tag.value })),
    ObjectSizeGreaterThan: filter.objectSizeGreaterThan,
    ObjectSizeLessThan: filter.objectSizeLessThan,
  };
  const count = (filter.prefix !== undefined ? 1 : 0) + (filter.tags?.length ?? 0) +
    (filter.objectSizeGreaterThan !== undefined ? 1 : 0) + (filter.objectSizeLessThan !== undefined ? 1 : 0);
  if (count === 0) return "";
  return count === 1 ? conditions : { And: conditions };
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** `value` without its undefined fields (so a parsed rule holds only what the document said). */
function withDefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as T;
}

function sortByRank<T extends { readonly storageClass: TransitionStorageClass }>(list: T[]): T[] {
  return list.sort((a, b) => transitionRank(a.storageClass) - transitionRank(b.storageClass));
}

/** The children of an element; an empty element (`<X/>`, parsed as "") has none. */
function elementOf(value: unknown, path: string): XmlNode {
  if (value === "") return {};
  if (Array.isArray(value)) throw malformed(`Only one <${path}> is allowed`);
  if (value === null || typeof value !== "object") throw malformed(`<${path}> must hold elements, not text`);
  return value as XmlNode;
}

function onlyKnown(node: XmlNode, allowed: readonly string[], path: string): void {
  for (const name of Object.keys(node)) {
    if (!allowed.includes(name)) {
      throw malformed(
        name === "#text" ? `<${path}> must not hold text` : `Unexpected element <${name}> in <${path}>`,
      );
    }
  }
}

function listOf(value: unknown): unknown[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

function textOf(value: unknown, path: string): string | undefined {
  if (value === undefined) return undefined;
  if (Array.isArray(value)) throw malformed(`Only one <${path}> is allowed`);
  if (typeof value !== "string") throw malformed(`<${path}> must hold text, not elements`);
  return value;
}

function integerOf(node: XmlNode, name: string, path: string): number | undefined {
  const text = textOf(node[name], `${path}/${name}`);
  if (text === undefined) return undefined;
  if (!/^[+-]?\d+$/.test(text)) throw malformed(`<${path}/${name}> must be an integer, got "${text}"`);
  // A value beyond 2^53 is no longer exact; the validator refuses it by range, naming the field.
  return Number(text);
}

function requiredInteger(node: XmlNode, name: string, path: string): number {
  const value = integerOf(node, name, path);
  if (value === undefined) throw malformed(`<${path}> needs a <${name}>`);
  return value;
}

function booleanOf(node: XmlNode, name: string, path: string): boolean | undefined {
  const text = textOf(node[name], `${path}/${name}`);
  if (text === undefined) return undefined;
  if (text !== "true" && text !== "false") throw malformed(`<${path}/${name}> must be true or false`);
  return text === "true";
}

function storageClassOf(node: XmlNode, path: string): TransitionStorageClass {
  const text = textOf(node.StorageClass, `${path}/StorageClass`);
  if (text === undefined) throw malformed(`<${path}> needs a <StorageClass>`);
  const known = TRANSITION_STORAGE_CLASSES.find((storageClass) => storageClass === text);
  if (known === undefined) {
    throw malformed(
      `<${path}/StorageClass> must be one of ${TRANSITION_STORAGE_CLASSES.join(", ")}, got "${text}"`,
    );
  }
  return known;
}

/**
 * An ISO 8601 date (`2027-01-01`) or date-time with a zone (`2027-01-01T00:00:00Z`, `…00.000Z`,
 * `…+00:00`), as `toISOString()` gives it. Whether it is midnight UTC is the validator's question.
 */
function dateOf(node: XmlNode, name: string, path: string): string | undefined {
  const text = textOf(node[name], `${path}/${name}`);
  if (text === undefined) return undefined;
  const match = /^(\d{4})-(\d{2})-(\d{2})(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/.exec(text);
  const ms = Date.parse(match?.[4] === undefined ? `${text}T00:00:00Z` : text);
  if (match === null || Number.isNaN(ms) || !isCalendarDay(match[1], match[2], match[3])) {
    throw malformed(
      `<${path}/${name}> must be an ISO 8601 date such as 2027-01-01T00:00:00.000Z, got "${text}"`,
    );
  }
  return new Date(ms).toISOString();
}

function isCalendarDay(year: string, month: string, day: string): boolean {
  const date = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  return date.getUTCMonth() === Number(month) - 1 && date.getUTCDate() === Number(day);
}

function malformed(message: string): S3Error {
  return new S3Error("MalformedXML", message);
}
