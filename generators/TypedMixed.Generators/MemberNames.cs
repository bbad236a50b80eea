using System;
using System.Collections.Generic;

namespace TypedMixed.Generators;

/// <summary>"Did you mean" for a misspelt member name: the closest name by optimal-string-alignment distance.</summary>
internal static class MemberNames
{
    /// <summary>
    /// The candidate closest to <paramref name="name"/> (ignoring case), or null when none is close enough: at most one
    /// edit for names up to four characters, two up to eight, three beyond, and fewer edits than the name has characters. Ties go to the candidate listed first.
    /// </summary>
    public static string? Closest(string name, IEnumerable<string> candidates)
    {
        if (name.Length == 0) return null;
        // Never a distance that rewrites the whole name ("X" is not a misspelling of "Y"), but a case slip always qualifies.
        int limit = Math.Min(name.Length <= 4 ? 1 : name.Length <= 8 ? 2 : 3, name.Length - 1);
        string? best = null;
        int bestDistance = limit + 1;
        foreach (var candidate in candidates)
        {
            if (Math.Abs(candidate.Length - name.Length) >= bestDistance) continue;
            int distance = Distance(name.ToUpperInvariant(), candidate.ToUpperInvariant());
            if (distance < bestDistance)
            {
                best = candidate;
                bestDistance = distance;
            }
        }
        return best;
    }

    /// <summary>Damerau–Levenshtein distance, optimal string alignment variant: insertions, deletions, substitutions, adjacent swaps.</summary>
    public static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (int j = 0; j <= b.Length; j++) d[0, j] = j;
        for (int i = 1; i <= a.Length; i++)
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
            }
        return d[a.Length, b.Length];
    }
}
