import Link from "next/link";

export default function NotFound() {
  return (
    <section>
      <h1>Not found</h1>
      <p>
        <Link href="/">Back to the fleet</Link>
      </p>
    </section>
  );
}
