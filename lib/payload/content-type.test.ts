import { describe, expect, it } from "vitest";
import { chooseDecoder, contentTypeDecoder } from "./content-type";

const bytes = (s: string) => new TextEncoder().encode(s);

describe("the decoder a message's content type names", () => {
  it("maps JSON, text and octet-stream types, parameters and case aside", () => {
    expect(contentTypeDecoder("application/json")).toBe("json");
    expect(contentTypeDecoder("Application/JSON; charset=utf-8")).toBe("json");
    expect(contentTypeDecoder("application/vnd.acme.reading+json")).toBe("json");
    expect(contentTypeDecoder("text/plain")).toBe("text");
    expect(contentTypeDecoder("text/csv")).toBe("text");
    expect(contentTypeDecoder("application/octet-stream")).toBe("hex");
    expect(contentTypeDecoder("image/png")).toBeUndefined();
    expect(contentTypeDecoder(undefined)).toBeUndefined();
  });

  it("wins over the guess from the bytes", () => {
    expect(chooseDecoder(bytes('{"a":1}'), "t", { contentType: "text/plain" })).toEqual({ decoder: "text", by: "content type" });
    expect(chooseDecoder(bytes("hello"), "t", { contentType: "application/octet-stream" })).toEqual({ decoder: "hex", by: "content type" });
    expect(chooseDecoder(bytes("42"), "t", { contentType: "application/json" })).toEqual({ decoder: "json", by: "content type" });
  });

  it("reads bytes marked as UTF-8 as text, and guesses when nothing is declared", () => {
    expect(chooseDecoder(bytes("a\u0001b"), "t", { payloadFormatIndicator: 1 })).toEqual({ decoder: "text", by: "payload format" });
    expect(chooseDecoder(bytes('{"a":1}'), "t", { payloadFormatIndicator: 1 })).toEqual({ decoder: "json", by: "payload" });
    expect(chooseDecoder(bytes("a\u0001b"), "t", { contentType: "image/png" })).toEqual({ decoder: "hex", by: "payload" });
    expect(chooseDecoder(bytes("12.5"), "t")).toEqual({ decoder: "number", by: "payload" });
  });
});
