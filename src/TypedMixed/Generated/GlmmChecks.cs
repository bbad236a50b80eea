namespace TypedMixed.Generated;

/// <summary>
/// Run-time checks of a generalized linear mixed model's values, called by generated design builders; each failure
/// names the row, the members and the fix (NaN and ∞ are caught first by <see cref="DesignChecks.Finite"/>).
/// </summary>
public static class GlmmChecks
{
    /// <summary>Returns the count <paramref name="value"/>, or throws when it is negative (Poisson and negative binomial responses).</summary>
    public static double Count(double value, string member, int row)
    {
        if (value >= 0) return value;
        throw new ModelDesignException(
            $"'{member}' is {Text(value)} at row {row}, but a count response cannot be negative. Correct or remove the row.",
            member, row);
    }

    /// <summary>
    /// Returns <paramref name="trials"/>, or throws unless 0 ≤ <paramref name="successes"/> ≤ <paramref name="trials"/>
    /// (a binomial response given as successes out of trials).
    /// </summary>
    public static double Trials(double successes, double trials, string successesMember, string trialsMember, int row)
    {
        if (trials < 0)
            throw new ModelDesignException(
                $"'{trialsMember}' (the number of trials) is {Text(trials)} at row {row}; it cannot be negative. Correct or remove the row.",
                trialsMember, row);
        if (successes < 0 || successes > trials)
            throw new ModelDesignException(
                $"'{successesMember}' is {Text(successes)} at row {row}, outside 0..{Text(trials)} ('{trialsMember}', the number of trials): the successes must lie between zero and the trials. Correct or remove the row.",
                successesMember, row);
        return trials;
    }

    /// <summary>Returns the prior weight <paramref name="value"/>, or throws when it is negative.</summary>
    public static double Weight(double value, string member, int row)
    {
        if (value >= 0) return value;
        throw new ModelDesignException(
            $"'{member}' (a prior weight) is {Text(value)} at row {row}; weights cannot be negative. Use 0 to leave a row out of the fit.",
            member, row);
    }

    private static string Text(double value) => value.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
}
