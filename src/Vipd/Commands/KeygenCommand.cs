using System.CommandLine;
using System.Security.Cryptography;
using Vipd.Hosting;

namespace Vipd.Commands;

/// <summary><c>vipd keygen</c>: prints a new random 32-byte cluster key in base64, for the key file.</summary>
internal static class KeygenCommand
{
    public static Command Create()
    {
        var command = new Command("keygen", "Print a new cluster key (base64, 32 bytes) for cluster.key_file");
        command.SetAction(_ =>
        {
            Console.Out.WriteLine(Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
            return ExitCodes.Ok;
        });
        return command;
    }
}
